#pragma once
// The slow obvious counterpart of TransitionRouter, for tests: plain Dijkstra on the turn graph
// from one directed position, with the same rules (leave the segment first; a target ahead on it
// is reached directly; a small backward jitter counts as no movement).
#include <cstdint>
#include <span>
#include <vector>

#include "graph/edge_based_map.h"
#include "route/endpoints.h"

namespace waymark {

// Fastest duration (ms) from p to each target, or INT64_MAX when unreachable.
std::vector<int64_t> transitionOracle(const EdgeBasedView& eb, const SegmentPosition& p, std::span<const SegmentPosition> targets,
                                      int64_t backward_tolerance_cm);

}  // namespace waymark
