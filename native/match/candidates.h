#pragma once
// Candidate road positions for one GPS point: the nearest point of every snappable road within a
// radius, nearest first (Newson & Krumm's "candidate road segments"). One candidate per road edge;
// its travel directions become separate states of the matcher.
#include <cstdint>
#include <vector>

#include "pipeline/loaded_map.h"
#include "spatial/snap_index.h"

namespace waymark {

// At most max_count candidates (the nearest), each a SnapResult with found = true.
std::vector<SnapResult> candidatesWithin(const LoadedMap& map, double lon, double lat, double radius_m, uint32_t max_count);

}  // namespace waymark
