#pragma once
// snapToRoad, inline because it takes the acceptance test as a template argument.
#include <algorithm>
#include <cmath>
#include <tuple>

#include "common/geo.h"

namespace waymark {

namespace snap_detail {
constexpr int64_t kLonOffset = 1800000000LL;
constexpr int64_t kLatOffset = 900000000LL;
constexpr double kMetersPerFixedLat = kEarthRadiusM * M_PI / 180.0 / kCoordScale;
inline int64_t cellX(int64_t lon) { return (lon + kLonOffset) / kSnapCellFixed; }
inline int64_t cellY(int64_t lat) { return (lat + kLatOffset) / kSnapCellFixed; }
inline uint64_t cellKey(int64_t cx, int64_t cy) { return (uint64_t(cx) << 32) | uint64_t(cy); }
}  // namespace snap_detail

template <typename Accept>
SnapResult SnapIndex::snapToRoad(const RoadMap& road, double lon, double lat, double radius_m, Accept&& accept) const {
  using namespace snap_detail;
  SnapResult best;
  const double cos_lat = std::max(0.01, std::cos(lat * M_PI / 180.0));
  const double mx = kMetersPerFixedLat * cos_lat, my = kMetersPerFixedLat;  // metres per fixed unit
  const int64_t px = toFixed(lon), py = toFixed(lat);
  const double cell_m = kSnapCellFixed * std::min(mx, my);
  const int64_t cx = cellX(px), cy = cellY(py);
  const int64_t max_ring = static_cast<int64_t>(std::ceil(radius_m / cell_m)) + 1;
  double best_d2 = radius_m * radius_m;
  uint32_t best_part = 0;
  double best_t = 0;
  bool found = false;
  auto visit = [&](int64_t x, int64_t y) {
    const uint64_t key = cellKey(x, y);
    auto it = std::lower_bound(cell_key.begin(), cell_key.end(), key);
    if (it == cell_key.end() || *it != key) return;
    const size_t c = it - cell_key.begin();
    for (uint32_t i = cell_first[c]; i < cell_first[c + 1]; ++i) {
      const uint32_t e = item_edge[i], part = item_part[i];
      if (!accept(e)) continue;
      const double ax = (road.polylineLon(e, part) - px) * mx, ay = (road.polylineLat(e, part) - py) * my;
      const double bx = (road.polylineLon(e, part + 1) - px) * mx, by = (road.polylineLat(e, part + 1) - py) * my;
      const double dx = bx - ax, dy = by - ay;
      const double len2 = dx * dx + dy * dy;
      double t = len2 > 0 ? -(ax * dx + ay * dy) / len2 : 0;
      t = std::clamp(t, 0.0, 1.0);
      const double qx = ax + t * dx, qy = ay + t * dy;
      const double d2 = qx * qx + qy * qy;
      if (d2 < best_d2 || (d2 == best_d2 && found && std::tie(e, part) < std::tie(best.edge, best_part))) {
        best_d2 = d2;
        best.edge = e;
        best_part = part;
        best_t = t;
        found = true;
      }
    }
  };
  for (int64_t ring = 0; ring <= max_ring; ++ring) {
    if (ring == 0) {
      visit(cx, cy);
    } else {
      for (int64_t x = cx - ring; x <= cx + ring; ++x) {
        visit(x, cy - ring);
        visit(x, cy + ring);
      }
      for (int64_t y = cy - ring + 1; y <= cy + ring - 1; ++y) {
        visit(cx - ring, y);
        visit(cx + ring, y);
      }
    }
    // Every cell of the next ring is at least `ring` cells away from the query point.
    if (found && std::sqrt(best_d2) <= ring * cell_m) break;
  }
  if (!found) return best;
  const uint32_t e = best.edge;
  const double alon = toDegrees(road.polylineLon(e, best_part)), alat = toDegrees(road.polylineLat(e, best_part));
  const double blon = toDegrees(road.polylineLon(e, best_part + 1)), blat = toDegrees(road.polylineLat(e, best_part + 1));
  best.lon = alon + best_t * (blon - alon);
  best.lat = alat + best_t * (blat - alat);
  // Fraction along the polyline by (haversine) length, the measure edge lengths use.
  double before = 0, total = 0;
  for (uint32_t i = 0; i + 1 < road.polylineSize(e); ++i) {
    const double len = haversineMetersFixed(road.polylineLon(e, i), road.polylineLat(e, i), road.polylineLon(e, i + 1),
                                            road.polylineLat(e, i + 1));
    if (i < best_part) before += len;
    if (i == best_part) before += best_t * len;
    total += len;
  }
  best.fraction = total > 0 ? std::clamp(before / total, 0.0, 1.0) : 0.0;
  best.distance_m = haversineMeters(lon, lat, best.lon, best.lat);
  best.found = best.distance_m <= radius_m + 1e-6;
  return best;
}

}  // namespace waymark
