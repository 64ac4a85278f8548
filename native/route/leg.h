#pragma once
// One leg: the fastest way between two snapped points, on the CH, honouring the start and end
// positions partway along their roads.
#include <cstdint>
#include <vector>

#include "pipeline/loaded_map.h"
#include "route/endpoints.h"

namespace waymark {

struct LegPath {
  bool found = false;
  int64_t duration_ms = 0;
  int64_t distance_cm = 0;
  std::vector<uint32_t> segments;  // first and last are partial
  double start_fraction = 0;       // along the first segment
  double end_fraction = 0;         // along the last segment
  uint64_t settled = 0;
};

LegPath shortestLeg(const LoadedMap& map, CHQuery& query, const SnapResult& from, const SnapResult& to, bool want_path);

}  // namespace waymark
