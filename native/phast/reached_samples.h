#pragma once
// Points sampled along reached road pieces, each with its cost, deduplicated on a grid so that the
// two directions of a road (and overlapping pieces) give one point per spot, with the lower cost.
// Isochrone polygons are built from these (one H3 cell lookup per point, on the JS side).
#include <vector>

#include "phast/one_to_all.h"

namespace waymark {

struct CostedPoint {
  double lon, lat;
  double cost;  // ms or cm, as the pieces
};

// A point every `step_m` metres along each piece (both ends included), plus the points where the
// cost crosses one of `limits` (so every contour's cut points are present); one per metre-sized spot.
std::vector<CostedPoint> sampleReachedPieces(const LoadedMap& map, const std::vector<ReachedPiece>& pieces, double step_m,
                                             const std::vector<double>& limits);

}  // namespace waymark
