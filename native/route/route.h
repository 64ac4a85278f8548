#pragma once
// A route through several snapped points: legs on the CH, unpacked into road geometry, distances
// and the street names along the way.
#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/loaded_map.h"
#include "spatial/snap_index.h"

namespace waymark {

// One road piece of a leg: the part [f0, f1] of `edge` driven in direction `dir`, with its cost and
// its coordinates in the route geometry (pairs [geometry_begin, geometry_end], the last one shared
// with the next piece). Guidance and annotations are built from these.
struct RoutePiece {
  uint32_t edge = 0;
  uint32_t dir = 0;
  double f0 = 0, f1 = 1;
  double duration_s = 0;  // driving the piece, plus the turn cost of entering it
  double distance_m = 0;
  uint32_t geometry_begin = 0;
  uint32_t geometry_end = 0;
};

struct RouteLegResult {
  double duration_s = 0;  // travel time along the path, whatever the metric minimised
  double weight = 0;      // what the metric minimised (= duration_s unless a custom model)
  double distance_m = 0;
  std::vector<std::string> names;  // streets along the leg, consecutive duplicates merged
  uint32_t geometry_begin = 0;     // first coordinate index (pairs) of this leg in the route geometry
  uint32_t geometry_end = 0;       // one past the last
  std::vector<RoutePiece> pieces;  // in driving order
  // With node ids: the OSM node id of each coordinate of the leg (from geometry_begin, the shared
  // first point included), as OSRM's annotation.nodes: a point partway along a road counts as the
  // road's node before it at the leg's start and the node after it at the end.
  std::vector<int64_t> osm_nodes;
};

struct RouteResult {
  double duration_s = 0;
  double weight = 0;
  double distance_m = 0;
  std::vector<double> coordinates;  // lon, lat pairs
  std::vector<RouteLegResult> legs;
  uint64_t settled = 0;
};

struct LegPath;
// Appends one leg driven along `path` (geometry, pieces, names, totals) to `route`.
void appendLeg(const LoadedMap& map, const LegPath& path, bool with_geometry, RouteResult& route, bool with_osm_nodes = false);

// Throws Error("NoRoute") when a leg has no path. continue_straight: a leg leaves a via point in the
// direction the previous leg arrived (no turning around there).
RouteResult routeThrough(const LoadedMap& map, const std::vector<SnapResult>& points, bool with_geometry, bool continue_straight = false,
                         bool with_osm_nodes = false);

// Appends the polyline of `edge` travelled in direction `dir` (0 = from->to), from fraction f0 to f1
// of its length, as lon/lat pairs; skips a first point equal to the last one already present.
// With `osm_nodes`: the OSM node id of each point appended (see RouteLegResult::osm_nodes), and of
// the skipped first point too when `keep_first_id`.
void appendEdgeGeometry(const RoadMap& road, uint32_t edge, uint32_t dir, double f0, double f1, std::vector<double>& coords,
                        std::vector<int64_t>* osm_nodes = nullptr, bool keep_first_id = false);

}  // namespace waymark
