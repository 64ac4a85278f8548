#pragma once
// Strongly connected components of a directed graph in CSR form (iterative Tarjan, no recursion so
// that million-node graphs cannot overflow the stack).
#include <cstdint>
#include <vector>

namespace waymark {

// Returns the component id of every node; `largest` receives the id of the largest component.
std::vector<uint32_t> stronglyConnectedComponents(const std::vector<uint32_t>& first_out,
                                                  const std::vector<uint32_t>& head, uint32_t& largest);

}  // namespace waymark
