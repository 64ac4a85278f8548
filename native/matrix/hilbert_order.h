#pragma once
// An order of matrix endpoints along a Hilbert curve over their snapped points. Searches run one
// after another on one thread then start near each other, so they share most of their search spaces
// in cache (on a big map a settled node otherwise costs a cache miss or more).
#include <cstdint>
#include <vector>

#include "spatial/snap_index.h"

namespace waymark {

// Indices of `points`, ordered along a Hilbert curve over their bounding box.
std::vector<uint32_t> hilbertOrder(const std::vector<SnapResult>& points);

}  // namespace waymark
