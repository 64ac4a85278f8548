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
  // One item: its distance first; its edge and part, and the acceptance test (a look-up elsewhere
  // in memory), only for what would become the best.
  auto consider = [&](const SnapItemPoints& p, auto&& edgeAndPart) {
    const double ax = (p.a_lon - px) * mx, ay = (p.a_lat - py) * my;
    const double bx = (p.b_lon - px) * mx, by = (p.b_lat - py) * my;
    const double dx = bx - ax, dy = by - ay;
    const double len2 = dx * dx + dy * dy;
    double t = len2 > 0 ? -(ax * dx + ay * dy) / len2 : 0;
    t = std::clamp(t, 0.0, 1.0);
    const double qx = ax + t * dx, qy = ay + t * dy;
    const double d2 = qx * qx + qy * qy;
    if (d2 > best_d2) return;
    const auto [e, part] = edgeAndPart();
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
  };
  auto prefetchRun = [](const void* from, const void* to, size_t max_bytes) {
    const uintptr_t b = reinterpret_cast<uintptr_t>(from), e = std::min(reinterpret_cast<uintptr_t>(to), b + max_bytes);
    for (uintptr_t l = b & ~uintptr_t(63); l < e; l += 64) __builtin_prefetch(reinterpret_cast<const void*>(l));
  };
  auto scanItems = [&](uint32_t first, uint32_t end) {
    // The cell's items are one contiguous run: ask for all its lines at once (up to 2 KB of points,
    // and their edges and parts, read for each candidate that becomes the best) rather than one
    // miss after another.
    prefetchRun(item_points.data() + first, item_points.data() + end, 2048);
    prefetchRun(item_edge.data() + first, item_edge.data() + end, 512);
    prefetchRun(item_part.data() + first, item_part.data() + end, 512);
    for (uint32_t i = first; i < end; ++i) consider(item_points[i], [&] { return std::pair<uint32_t, uint32_t>(item_edge[i], item_part[i]); });
  };
  // Ring `ring` around cell (cx, cy) of a grid: its west and east columns whole, then its other
  // columns' south and north cells.
  auto visitRing = [](int64_t cx, int64_t cy, int64_t ring, auto&& visit) {
    if (ring == 0) {
      visit(cx, cy, cy);
      return;
    }
    visit(cx - ring, cy - ring, cy + ring);
    visit(cx + ring, cy - ring, cy + ring);
    for (int64_t x = cx - ring + 1; x <= cx + ring - 1; ++x) {
      visit(x, cy - ring, cy - ring);
      visit(x, cy + ring, cy + ring);
    }
  };
  // Whether the best candidate is at most as far as the nearest border of the block of cells of
  // size `cell` scanned so far: anything not yet scanned lies beyond it.
  auto doneWithin = [&](int64_t cell, int64_t x, int64_t y, int64_t ring) {
    const double west = (px + kLonOffset) - double(x - ring) * cell;
    const double east = double(x + ring + 1) * cell - (px + kLonOffset);
    const double south = (py + kLatOffset) - double(y - ring) * cell;
    const double north = double(y + ring + 1) * cell - (py + kLatOffset);
    const double border = std::min(std::min(west, east) * mx, std::min(south, north) * my);
    return found && best_d2 <= border * border;
  };
  // The first rings in sub-cells: a point near a road is done after a few records.
  bool done = false;
  if (!fine_first.empty() && px + kLonOffset >= 0 && py + kLatOffset >= 0) {
    constexpr int64_t K = kSnapFine;
    const int64_t fx = (px + kLonOffset) / kFineCellFixed, fy = (py + kLatOffset) / kFineCellFixed;
    auto visitFine = [&](int64_t x, int64_t y0, int64_t y1) {
      if (x < 0 || x / K < column_x0 || x / K - column_x0 >= int64_t(column_slots.size())) return;
      const CellSlots& col = column_slots[x / K - column_x0];
      const int64_t lo = std::max<int64_t>(y0, int64_t(col.y0) * K), hi = std::min<int64_t>(y1, (int64_t(col.y0) + col.count) * K - 1);
      for (int64_t y = lo; y <= hi; ++y) {
        const size_t f = fineRun(col, x, y);
        const uint32_t first = fine_first[f], end = fine_first[f + 1];
        prefetchRun(fine_items.data() + first, fine_items.data() + end, 512);
        for (uint32_t i = first; i < end; ++i) {
          const FineItem& it = fine_items[i];
          consider(it.p, [&] { return std::pair<uint32_t, uint32_t>(it.edge, it.part & ~kRepeat); });
        }
      }
    };
    const double fine_m = kFineCellFixed * std::min(mx, my);
    const int64_t fine_rings = std::min<int64_t>(kFineRings, static_cast<int64_t>(std::ceil(radius_m / fine_m)) + 1);
    for (int64_t ring = 0; ring <= fine_rings && !done; ++ring) {
      visitRing(fx, fy, ring, visitFine);
      done = doneWithin(kFineCellFixed, fx, fy, ring);
    }
  }
  // Scans cells (x, y0..y1) of one column: their keys are contiguous in the sorted key array.
  auto visitColumn = [&](int64_t x, int64_t y0, int64_t y1) {
    if (x < column_x0 || x - column_x0 + 1 >= int64_t(column_first.size())) return;
    if (!column_slots.empty()) {
      const CellSlots& col = column_slots[x - column_x0];
      const int64_t lo = std::max<int64_t>(y0, col.y0), hi = std::min<int64_t>(y1, int64_t(col.y0) + col.count - 1);
      for (int64_t y = lo; y <= hi; ++y) {
        const size_t slot = col.first_slot + (y - col.y0);
        if (fine_first.empty()) {
          scanItems(cell_items[slot].first, cell_items[slot].end);
          continue;
        }
        forEachFineItemOfSlot(slot, [&](const FineItem& it) { consider(it.p, [&] { return std::pair<uint32_t, uint32_t>(it.edge, it.part); }); });
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
  // Then whole cells, keeping the best found in sub-cells (the nearest is the same in any order).
  for (int64_t ring = 0; ring <= max_ring && !done; ++ring) {
    visitRing(cx, cy, ring, visitColumn);
    done = doneWithin(kSnapCellFixed, cx, cy, ring);
  }
  if (!found) return best;
  return snapOnto(road, lon, lat, radius_m, mx, my, best.edge, best_part, best_t);
}

template <typename F>
void SnapIndex::forEachItemInCells(int64_t x0, int64_t x1, int64_t y0, int64_t y1, F&& f) const {
  using namespace snap_detail;
  for (int64_t x = std::max(x0, column_x0); x <= x1 && x - column_x0 + 1 < int64_t(column_first.size()); ++x) {
    if (!fine_first.empty()) {
      const CellSlots& col = column_slots[x - column_x0];
      const int64_t lo = std::max<int64_t>(y0, col.y0), hi = std::min<int64_t>(y1, int64_t(col.y0) + col.count - 1);
      for (int64_t y = lo; y <= hi; ++y)
        forEachFineItemOfSlot(col.first_slot + (y - col.y0), [&](const FineItem& it) { f(it.p, it.edge, it.part); });
      continue;
    }
    const auto column_end = cell_key.begin() + column_first[x - column_x0 + 1];
    auto it = std::lower_bound(cell_key.begin() + column_first[x - column_x0], column_end, cellKey(x, y0));
    for (; it != column_end && *it <= cellKey(x, y1); ++it) {
      const size_t c = it - cell_key.begin();
      for (uint32_t i = cell_first[c]; i < cell_first[c + 1]; ++i) f(item_points[i], item_edge[i], item_part[i]);
    }
  }
}

template <typename Accept>
SnapResult SnapIndex::snapByScanningAll(const RoadMap& road, double lon, double lat, double radius_m, Accept&& accept) {
  using namespace snap_detail;
  const double cos_lat = std::max(0.01, std::cos(lat * M_PI / 180.0));
  const double mx = kMetersPerFixedLat * cos_lat, my = kMetersPerFixedLat;
  const int64_t px = toFixed(lon), py = toFixed(lat);
  radius_m = std::min(radius_m, 2.1e7);
  // The nearest by (distance, edge, part) of every sub-segment of every accepted road nearer than
  // the radius, with the index's arithmetic.
  bool found = false;
  double best_d2 = 0, best_t = 0;
  uint32_t best_e = 0, best_part = 0;
  for (uint32_t e = 0; e < road.edgeCount(); ++e) {
    if (!accept(e)) continue;
    for (uint32_t part = 0; part + 1 < road.polylineSize(e); ++part) {
      const double ax = (road.polylineLon(e, part) - px) * mx, ay = (road.polylineLat(e, part) - py) * my;
      const double bx = (road.polylineLon(e, part + 1) - px) * mx, by = (road.polylineLat(e, part + 1) - py) * my;
      const double dx = bx - ax, dy = by - ay;
      const double len2 = dx * dx + dy * dy;
      const double t = std::clamp(len2 > 0 ? -(ax * dx + ay * dy) / len2 : 0.0, 0.0, 1.0);
      const double qx = ax + t * dx, qy = ay + t * dy;
      const double d2 = qx * qx + qy * qy;
      if (d2 < radius_m * radius_m && (!found || std::tie(d2, e, part) < std::tie(best_d2, best_e, best_part))) {
        found = true;
        best_d2 = d2;
        best_e = e;
        best_part = part;
        best_t = t;
      }
    }
  }
  return found ? snapOnto(road, lon, lat, radius_m, mx, my, best_e, best_part, best_t) : SnapResult{};
}

}  // namespace waymark
