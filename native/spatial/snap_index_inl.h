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
  // No point on Earth is further than half its circumference: a larger radius scans no more.
  radius_m = std::min(radius_m, 2.1e7);
  const int64_t max_ring = static_cast<int64_t>(std::ceil(radius_m / cell_m)) + 1;
  double best_d2 = radius_m * radius_m;
  uint32_t best_part = 0;
  double best_t = 0;
  bool found = false;
  auto scanItems = [&](uint32_t first, uint32_t end) {
    // The cell's items are one contiguous run: ask for all its lines at once (up to 2 KB of points,
    // and their edges and parts, read for each candidate that becomes the best) rather than one
    // miss after another.
    auto prefetchRun = [](const void* from, const void* to, size_t max_bytes) {
      const uintptr_t b = reinterpret_cast<uintptr_t>(from), e = std::min(reinterpret_cast<uintptr_t>(to), b + max_bytes);
      for (uintptr_t l = b & ~uintptr_t(63); l < e; l += 64) __builtin_prefetch(reinterpret_cast<const void*>(l));
    };
    prefetchRun(item_points.data() + first, item_points.data() + end, 2048);
    prefetchRun(item_edge.data() + first, item_edge.data() + end, 512);
    prefetchRun(item_part.data() + first, item_part.data() + end, 512);
    for (uint32_t i = first; i < end; ++i) {
      const SnapItemPoints& p = item_points[i];
      const double ax = (p.a_lon - px) * mx, ay = (p.a_lat - py) * my;
      const double bx = (p.b_lon - px) * mx, by = (p.b_lat - py) * my;
      const double dx = bx - ax, dy = by - ay;
      const double len2 = dx * dx + dy * dy;
      double t = len2 > 0 ? -(ax * dx + ay * dy) / len2 : 0;
      t = std::clamp(t, 0.0, 1.0);
      const double qx = ax + t * dx, qy = ay + t * dy;
      const double d2 = qx * qx + qy * qy;
      if (d2 > best_d2) continue;
      // The item's edge, and the acceptance test (a look-up elsewhere in memory), only for what
      // would become the best.
      const uint32_t e = item_edge[i], part = item_part[i];
      if ((d2 < best_d2 || (found && std::tie(e, part) < std::tie(best.edge, best_part))) && accept(e)) {
        best_d2 = d2;
        best.edge = e;
        best_part = part;
        best_t = t;
        found = true;
        // Its polyline is read once the search ends: start loading where it lies.
        __builtin_prefetch(road.edge_from.data() + e);
        __builtin_prefetch(road.edge_to.data() + e);
        __builtin_prefetch(road.edge_shape_first.data() + e);
      }
    }
  };
  // Scans cells (x, y0..y1) of one column: their keys are contiguous in the sorted key array.
  auto visitColumn = [&](int64_t x, int64_t y0, int64_t y1) {
    if (x < column_x0 || x - column_x0 + 1 >= int64_t(column_first.size())) return;
    if (!column_slots.empty()) {
      const CellSlots& col = column_slots[x - column_x0];
      const int64_t lo = std::max<int64_t>(y0, col.y0), hi = std::min<int64_t>(y1, int64_t(col.y0) + col.count - 1);
      for (int64_t y = lo; y <= hi; ++y) {
        const CellItems& r = cell_items[col.first_slot + (y - col.y0)];
        scanItems(r.first, r.end);
      }
      return;
    }
    const auto column_end = cell_key.begin() + column_first[x - column_x0 + 1];
    auto it = std::lower_bound(cell_key.begin() + column_first[x - column_x0], column_end, cellKey(x, y0));
    const uint64_t last = cellKey(x, y1);
    for (; it != column_end && *it <= last; ++it) {
      const size_t c = it - cell_key.begin();
      scanItems(cell_first[c], cell_first[c + 1]);
    }
  };
  for (int64_t ring = 0; ring <= max_ring; ++ring) {
    if (ring == 0) {
      visitColumn(cx, cy, cy);
    } else {
      visitColumn(cx - ring, cy - ring, cy + ring);
      visitColumn(cx + ring, cy - ring, cy + ring);
      for (int64_t x = cx - ring + 1; x <= cx + ring - 1; ++x) {
        visitColumn(x, cy - ring, cy - ring);
        visitColumn(x, cy + ring, cy + ring);
      }
    }
    // Anything not yet scanned lies outside the block of cells scanned so far: stop once the best
    // candidate is closer than the block's nearest border.
    const double west = (px + kLonOffset) - double(cx - ring) * kSnapCellFixed;
    const double east = double(cx + ring + 1) * kSnapCellFixed - (px + kLonOffset);
    const double south = (py + kLatOffset) - double(cy - ring) * kSnapCellFixed;
    const double north = double(cy + ring + 1) * kSnapCellFixed - (py + kLatOffset);
    const double border = std::min(std::min(west, east) * mx, std::min(south, north) * my);
    if (found && best_d2 <= border * border) break;
  }
  if (!found) return best;
  const uint32_t e = best.edge;
  best.part = best_part;
  const double alon = toDegrees(road.polylineLon(e, best_part)), alat = toDegrees(road.polylineLat(e, best_part));
  const double blon = toDegrees(road.polylineLon(e, best_part + 1)), blat = toDegrees(road.polylineLat(e, best_part + 1));
  best.lon = alon + best_t * (blon - alon);
  best.lat = alat + best_t * (blat - alat);
  // Fraction along the polyline by length (locally planar: exact enough within one road, and free
  // of trigonometry per point).
  double before = 0, total = 0;
  for (uint32_t i = 0; i + 1 < road.polylineSize(e); ++i) {
    const double lx = (road.polylineLon(e, i + 1) - road.polylineLon(e, i)) * mx;
    const double ly = (road.polylineLat(e, i + 1) - road.polylineLat(e, i)) * my;
    const double len = std::sqrt(lx * lx + ly * ly);
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
