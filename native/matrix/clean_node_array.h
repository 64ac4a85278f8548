#pragma once
// Per-hierarchy-node uint32 arrays for one request, borrowed from a process-wide pool of arrays kept
// at kCleanNodeValue between requests: a request writes only the nodes it touches and resets them
// before giving the array back, so a small request costs nothing per node of a big map (RPHAST's
// selection positions, the buckets' slots).
#include <cstdint>
#include <memory>
#include <vector>

namespace waymark {

constexpr uint32_t kCleanNodeValue = 0xFFFFFFFFu;

// An array of at least node_count entries, all kCleanNodeValue.
std::unique_ptr<std::vector<uint32_t>> borrowCleanNodeArray(uint32_t node_count);
// Back to the pool: every entry must be kCleanNodeValue again.
void returnCleanNodeArray(std::unique_ptr<std::vector<uint32_t>> array);

}  // namespace waymark
