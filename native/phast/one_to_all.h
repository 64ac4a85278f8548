#pragma once
// One-to-all (forward) and all-to-one (reverse) from a snapped point, honouring the point's
// position partway along its road exactly as route queries do (route/leg.cc, and the oracle in
// route/reference_dijkstra.cc): a forward search first leaves the source's segment, so coming back
// to it is a real loop, and a point ahead on the same segment is reached directly.
#include <cstdint>
#include <vector>

#include "phast/phast.h"
#include "pipeline/loaded_map.h"
#include "route/endpoints.h"

namespace waymark {

struct PointCost {
  int64_t ms = kPhastUnreached;  // kPhastUnreached when there is no path
  int64_t cm = 0;
};

// Runs PHAST around `center`: forward, costs from it; reverse, costs to it.
void runFromPoint(const LoadedMap& map, Phast& phast, PhastDirection direction, const SnapResult& center);

// After runFromPoint: forward, the cost center -> other; reverse, other -> center.
PointCost costWith(const LoadedMap& map, const Phast& phast, PhastDirection direction, const SnapResult& center, const SnapResult& other);

// The part of a segment within a limit, as fractions along its direction of travel.
struct ReachedPiece {
  uint32_t segment;
  double from, to;
  double cost_from, cost_to;  // ms or cm at both ends (forward: from the center; reverse: to it)
};

enum class LimitMetric { kDuration, kDistance };  // ms, or cm along the fastest paths

// After runFromPoint: every stretch of road reachable from center within `limit` (forward), or
// from which center is reachable within it (reverse), cut partway along segments at the limit.
std::vector<ReachedPiece> reachedPieces(const LoadedMap& map, const Phast& phast, PhastDirection direction, const SnapResult& center,
                                        LimitMetric metric, int64_t limit);

}  // namespace waymark
