#include "guidance/road_bearings.h"

#include <cmath>

#include "common/geo.h"

namespace waymark {

double bearingLeaving(const RoadMap& road, uint32_t edge, uint32_t dir) {
  const uint32_t k = road.polylineSize(edge);
  auto at = [&](uint32_t i) { return dir == 0 ? i : k - 1 - i; };
  const double lon0 = toDegrees(road.polylineLon(edge, at(0))), lat0 = toDegrees(road.polylineLat(edge, at(0)));
  double lon = lon0, lat = lat0;
  // Over a few metres the flat-earth distance is exact enough, and far cheaper than haversine.
  constexpr double kMetresPerDegree = kEarthRadiusM * M_PI / 180.0;
  const double lon_scale = std::cos(lat0 * M_PI / 180.0);
  constexpr double kLookaheadDeg2 = (kBearingLookaheadM / kMetresPerDegree) * (kBearingLookaheadM / kMetresPerDegree);
  for (uint32_t i = 1; i < k; ++i) {
    lon = toDegrees(road.polylineLon(edge, at(i)));
    lat = toDegrees(road.polylineLat(edge, at(i)));
    const double dx = (lon - lon0) * lon_scale, dy = lat - lat0;
    if (dx * dx + dy * dy >= kLookaheadDeg2) break;
  }
  return bearingDegrees(lon0, lat0, lon, lat);
}

std::vector<RoadAtNode> roadsAt(const RoadMap& road, uint32_t node) {
  std::vector<RoadAtNode> out;
  for (uint32_t i = road.node_first_edge[node]; i < road.node_first_edge[node + 1]; ++i) {
    const uint32_t e = road.node_edges[i];
    for (uint32_t dir = 0; dir < 2; ++dir) {
      if ((dir == 0 ? road.edge_from[e] : road.edge_to[e]) != node) continue;
      const uint32_t duration = dir == 0 ? road.edge_duration_forward[e] : road.edge_duration_backward[e];
      out.push_back({e, dir, bearingLeaving(road, e, dir), duration != kNotAllowed});
      if (road.edge_from[e] != road.edge_to[e]) break;  // an ordinary edge meets the node once
    }
  }
  return out;
}

}  // namespace waymark
