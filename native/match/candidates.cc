#include "match/candidates.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "common/geo.h"

namespace waymark {

using namespace snap_detail;

std::vector<SnapResult> candidatesWithin(const LoadedMap& map, double lon, double lat, double radius_m, uint32_t max_count) {
  const RoadMap& road = map.road;
  const SnapIndex& index = map.snap;
  const double cos_lat = std::max(0.01, std::cos(lat * M_PI / 180.0));
  const double mx = kMetersPerFixedLat * cos_lat, my = kMetersPerFixedLat;
  const int64_t px = toFixed(lon), py = toFixed(lat);
  // Cells overlapping the square of side 2 * radius around the point.
  const int64_t dx_fixed = static_cast<int64_t>(std::ceil(radius_m / mx)) + 1;
  const int64_t dy_fixed = static_cast<int64_t>(std::ceil(radius_m / my)) + 1;
  const int64_t x0 = cellX(px - dx_fixed), x1 = cellX(px + dx_fixed);
  const int64_t y0 = cellY(py - dy_fixed), y1 = cellY(py + dy_fixed);

  struct Best {
    double d2;
    uint32_t part;
    double t;
  };
  std::unordered_map<uint32_t, Best> best;  // edge -> nearest sub-segment point
  const double r2 = radius_m * radius_m;
  index.forEachItemInCells(x0, x1, y0, y1, [&](const SnapItemPoints& p, uint32_t e, uint32_t part) {
    if (!map.eb.snappable(map.eb.segment(e, 0)) && !map.eb.snappable(map.eb.segment(e, 1))) return;
    const double ax = (p.a_lon - px) * mx, ay = (p.a_lat - py) * my;
    const double bx = (p.b_lon - px) * mx, by = (p.b_lat - py) * my;
    const double sx = bx - ax, sy = by - ay;
    const double len2 = sx * sx + sy * sy;
    const double t = len2 > 0 ? std::clamp(-(ax * sx + ay * sy) / len2, 0.0, 1.0) : 0.0;
    const double qx = ax + t * sx, qy = ay + t * sy;
    const double d2 = qx * qx + qy * qy;
    if (d2 > r2) return;
    auto [pos, inserted] = best.try_emplace(e, Best{d2, part, t});
    if (!inserted && (d2 < pos->second.d2 || (d2 == pos->second.d2 && part < pos->second.part))) pos->second = {d2, part, t};
  });
  std::vector<std::pair<double, uint32_t>> order;
  order.reserve(best.size());
  for (const auto& [e, b] : best) order.push_back({b.d2, e});
  std::sort(order.begin(), order.end());
  if (order.size() > max_count) order.resize(max_count);

  std::vector<SnapResult> out;
  for (const auto& [d2, e] : order) {
    const Best& b = best[e];
    SnapResult s;
    s.edge = e;
    s.part = b.part;
    const double alon = toDegrees(road.polylineLon(e, b.part)), alat = toDegrees(road.polylineLat(e, b.part));
    const double blon = toDegrees(road.polylineLon(e, b.part + 1)), blat = toDegrees(road.polylineLat(e, b.part + 1));
    s.lon = alon + b.t * (blon - alon);
    s.lat = alat + b.t * (blat - alat);
    // Fraction by length, computed as snapToRoad does so both agree on positions.
    double before = 0, total = 0;
    for (uint32_t i = 0; i + 1 < road.polylineSize(e); ++i) {
      const double lx = (road.polylineLon(e, i + 1) - road.polylineLon(e, i)) * mx;
      const double ly = (road.polylineLat(e, i + 1) - road.polylineLat(e, i)) * my;
      const double len = std::sqrt(lx * lx + ly * ly);
      if (i < b.part) before += len;
      if (i == b.part) before += b.t * len;
      total += len;
    }
    s.fraction = total > 0 ? std::clamp(before / total, 0.0, 1.0) : 0.0;
    s.distance_m = haversineMeters(lon, lat, s.lon, s.lat);
    s.found = true;
    out.push_back(s);
  }
  return out;
}

}  // namespace waymark
