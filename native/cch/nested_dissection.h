#pragma once
// Nested dissection order: a separator of the graph goes to the top of the order (highest ranks),
// then both sides are ordered the same way, recursively, down to small cells. Disconnected parts
// are ordered one after the other with no separator. The sides are independent, so threads share
// the recursion.
#include <cstdint>
#include <vector>

#include "cch/inertial_flow.h"

namespace waymark {

struct NestedDissectionOptions {
  unsigned threads = 0;     // 0 = all cores
  uint32_t leaf_size = 8;   // cells this small are not dissected further
  double balance = 0.25;    // inertial flow's source and target share
};

// order[rank] = node, over every node of g.
std::vector<uint32_t> nestedDissectionOrder(const PlanarGraph& g, const NestedDissectionOptions& options);

}  // namespace waymark
