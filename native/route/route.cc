#include "route/route.h"

#include <algorithm>

#include "common/error.h"
#include "common/geo.h"
#include "route/leg.h"

namespace waymark {

void appendEdgeGeometry(const RoadMap& road, uint32_t edge, uint32_t dir, double f0, double f1, std::vector<double>& coords,
                        std::vector<int64_t>* osm_nodes, bool keep_first_id) {
  const uint32_t k = road.polylineSize(edge);
  auto id = [&](uint32_t i) { return road.polylineOsmId(edge, dir == 0 ? i : k - 1 - i); };
  auto lon = [&](uint32_t i) { return toDegrees(road.polylineLon(edge, dir == 0 ? i : k - 1 - i)); };
  auto lat = [&](uint32_t i) { return toDegrees(road.polylineLat(edge, dir == 0 ? i : k - 1 - i)); };
  std::vector<double> cum(k, 0);
  for (uint32_t i = 1; i < k; ++i) cum[i] = cum[i - 1] + haversineMeters(lon(i - 1), lat(i - 1), lon(i), lat(i));
  const double total = cum[k - 1];
  bool first = true;
  auto push = [&](double x, double y, int64_t osm_id) {
    const size_t n = coords.size();
    const bool skip = n >= 2 && coords[n - 2] == x && coords[n - 1] == y;
    if (osm_nodes && (!skip || (first && keep_first_id))) osm_nodes->push_back(osm_id);
    first = false;
    if (skip) return;
    coords.push_back(x);
    coords.push_back(y);
  };
  // A point partway along a piece of the polyline: the node before it at the start, after it at the end.
  auto at = [&](double f, bool is_end) {
    const double target = f * total;
    uint32_t i = 1;
    while (i + 1 < k && cum[i] < target) ++i;
    const double span = cum[i] - cum[i - 1];
    const double t = span > 0 ? (target - cum[i - 1]) / span : 0;
    const int64_t osm_id = osm_nodes == nullptr ? 0 : t <= 0 ? id(i - 1) : t >= 1 ? id(i) : is_end ? id(i) : id(i - 1);
    push(lon(i - 1) + t * (lon(i) - lon(i - 1)), lat(i - 1) + t * (lat(i) - lat(i - 1)), osm_id);
  };
  at(f0, false);
  for (uint32_t i = 1; i + 1 < k; ++i)
    if (cum[i] > f0 * total && cum[i] < f1 * total) push(lon(i), lat(i), osm_nodes ? id(i) : 0);
  at(f1, true);
}

namespace {

// One road piece of a leg: its seconds (the turn into it included) and metres, and its geometry.
void appendPiece(const LoadedMap& map, const LegPath& path, size_t i, uint32_t edge, uint32_t dir, double f0, double f1, bool with_geometry,
                 bool with_osm_nodes, RouteResult& route, RouteLegResult& leg) {
  RoutePiece piece{edge, dir, f0, f1, 0, 0, 0, 0};
  const uint32_t seg = path.segments[i];
  piece.duration_s = std::max(0.0, f1 - f0) * map.travel_segment_ms[seg] / 1000.0;
  piece.distance_m = std::max(0.0, f1 - f0) * map.eb.segment_length_cm[seg] / 100.0;
  if (i > 0) {
    // The turn cost into this segment: the arc's travel time minus the previous segment's own.
    const uint32_t prev = path.segments[i - 1];
    for (uint32_t t = map.eb.turn_first[prev]; t < map.eb.turn_first[prev + 1]; ++t)
      if (map.eb.turn_head[t] == seg && map.eb.turn_weight[t] != kNotAllowed) {
        piece.duration_s += std::max<int64_t>(0, int64_t(map.travel_turn_ms[t]) - map.travel_segment_ms[prev]) / 1000.0;
        break;
      }
  }
  piece.geometry_begin = route.coordinates.empty() ? 0 : static_cast<uint32_t>(route.coordinates.size() / 2 - 1);
  if (with_geometry)
    appendEdgeGeometry(map.road, edge, dir, f0, f1, route.coordinates, with_osm_nodes ? &leg.osm_nodes : nullptr, i == 0 && !route.coordinates.empty());
  piece.geometry_end = route.coordinates.empty() ? 0 : static_cast<uint32_t>(route.coordinates.size() / 2 - 1);
  if (i == 0 && with_geometry) piece.geometry_begin = leg.geometry_begin;
  leg.pieces.push_back(piece);
}

}  // namespace

void appendLeg(const LoadedMap& map, const LegPath& path, bool with_geometry, RouteResult& route, bool with_osm_nodes) {
  RouteLegResult leg;
  leg.duration_s = path.duration_ms / 1000.0;
  leg.weight = path.duration_ms / 1000.0;
  leg.distance_m = path.distance_cm / 100.0;
  leg.geometry_begin = static_cast<uint32_t>(route.coordinates.size() / 2);
  if (leg.geometry_begin > 0) --leg.geometry_begin;  // legs share their joining point
  uint32_t last_name = 0xFFFFFFFFu;
  // Pieces are read for geometry-based output only (steps, annotations and pieces all imply the
  // geometry) and to sum a custom model's travel time; a route without geometry (the HTTP API's
  // tiny queries) needs the names alone, and the turn-cost look-up per segment is then wasted.
  const bool need_pieces = with_geometry || !map.weight_is_travel_time;
  for (size_t i = 0; i < path.segments.size(); ++i) {
    const uint32_t ed = map.eb.segment_edge_dir[path.segments[i]];
    const uint32_t edge = ed >> 1, dir = ed & 1;
    const double f0 = i == 0 ? path.start_fraction : 0.0;
    const double f1 = i + 1 == path.segments.size() ? path.end_fraction : 1.0;
    if (need_pieces) appendPiece(map, path, i, edge, dir, f0, f1, with_geometry, with_osm_nodes, route, leg);
    // A piece of zero length (starting at the very end of a road, or ending at its very start) is
    // a road the route only touches: it names no street driven.
    if (f1 <= f0 && path.segments.size() > 1) continue;
    const uint32_t name = map.road.edge_name[edge];
    if (name != 0 && name != last_name) leg.names.emplace_back(map.road.name(name));
    if (name != 0) last_name = name;
  }
  leg.geometry_end = static_cast<uint32_t>(route.coordinates.size() / 2);
  if (!map.weight_is_travel_time) {
    // The path minimises another weight (custom model): report the travel time along it.
    leg.duration_s = 0;
    for (const RoutePiece& p : leg.pieces) leg.duration_s += p.duration_s;
  }
  route.weight += leg.weight;
  route.duration_s += leg.duration_s;
  route.distance_m += leg.distance_m;
  route.legs.push_back(std::move(leg));
}

RouteResult routeThrough(const LoadedMap& map, const std::vector<SnapResult>& points, bool with_geometry, bool continue_straight,
                         bool with_osm_nodes) {
  RouteResult route;
  auto query = map.queries.acquire();
  uint32_t arrived_dir = 2;  // direction of travel at the end of the previous leg (2 = none yet)
  for (size_t leg_index = 0; leg_index + 1 < points.size(); ++leg_index) {
    SnapResult from = points[leg_index];
    if (continue_straight && arrived_dir < 2 && (from.directions & (1u << arrived_dir))) from.directions = uint8_t(1u << arrived_dir);
    const LegPath path = shortestLeg(map, *query, from, points[leg_index + 1], true);
    if (path.found && !path.segments.empty()) arrived_dir = map.eb.segment_edge_dir[path.segments.back()] & 1;
    route.settled += path.settled;
    if (!path.found)
      throw Error("NoRoute", "no route from waypoint " + std::to_string(leg_index) + " to waypoint " + std::to_string(leg_index + 1));
    appendLeg(map, path, with_geometry, route, with_osm_nodes);
  }
  return route;
}

}  // namespace waymark
