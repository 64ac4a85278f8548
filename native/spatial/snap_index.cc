#include "spatial/snap_index.h"

#include <algorithm>
#include <cmath>
#include <tuple>
#include <utility>

#include "common/geo.h"

namespace waymark {

using namespace snap_detail;

SnapIndexData buildSnapIndex(const RoadMap& road) {
  std::vector<std::tuple<uint64_t, uint32_t, uint32_t>> entries;
  for (uint32_t e = 0; e < road.edgeCount(); ++e) {
    const uint32_t k = road.polylineSize(e);
    for (uint32_t i = 0; i + 1 < k; ++i) {
      const int64_t x0 = cellX(std::min(road.polylineLon(e, i), road.polylineLon(e, i + 1)));
      const int64_t x1 = cellX(std::max(road.polylineLon(e, i), road.polylineLon(e, i + 1)));
      const int64_t y0 = cellY(std::min(road.polylineLat(e, i), road.polylineLat(e, i + 1)));
      const int64_t y1 = cellY(std::max(road.polylineLat(e, i), road.polylineLat(e, i + 1)));
      for (int64_t x = x0; x <= x1; ++x)
        for (int64_t y = y0; y <= y1; ++y) entries.emplace_back(cellKey(x, y), e, i);
    }
  }
  std::sort(entries.begin(), entries.end());
  SnapIndexData d;
  for (const auto& [key, e, part] : entries) {
    if (d.cell_key.empty() || d.cell_key.back() != key) {
      d.cell_key.push_back(key);
      d.cell_first.push_back(static_cast<uint32_t>(d.item_edge.size()));
    }
    d.item_edge.push_back(e);
    d.item_part.push_back(part);
  }
  d.cell_first.push_back(static_cast<uint32_t>(d.item_edge.size()));
  return d;
}

void addSnapSections(MapWriter& w, const SnapIndexData& d) {
  w.add("snap_cell_key", d.cell_key);
  w.add("snap_cell_first", d.cell_first);
  w.add("snap_item_edge", d.item_edge);
  w.add("snap_item_part", d.item_part);
}

void SnapIndex::derive(const RoadMap& road) {
  auto d = std::make_shared<Derived>();
  d->item_points.resize(item_edge.size());
  for (size_t i = 0; i < item_edge.size(); ++i) {
    const uint32_t e = item_edge[i], part = item_part[i];
    d->item_points[i] = {road.polylineLon(e, part), road.polylineLat(e, part), road.polylineLon(e, part + 1), road.polylineLat(e, part + 1)};
  }
  if (!cell_key.empty()) {
    // Keys are sorted by (x, y) with x in the high half: columns are contiguous runs.
    const int64_t x0 = int64_t(cell_key.front() >> 32), x1 = int64_t(cell_key.back() >> 32);
    d->column_x0 = x0;
    d->column_first.resize(size_t(x1 - x0) + 2);
    size_t c = 0;
    for (int64_t x = x0; x <= x1 + 1; ++x) {
      while (c < cell_key.size() && int64_t(cell_key[c] >> 32) < x) ++c;
      d->column_first[size_t(x - x0)] = static_cast<uint32_t>(c);
    }
  }
  if (!cell_key.empty()) {
    const size_t columns = d->column_first.size() - 1;
    size_t slots = 0;
    for (size_t x = 0; x < columns; ++x)
      if (d->column_first[x] < d->column_first[x + 1])
        slots += size_t(uint32_t(cell_key[d->column_first[x + 1] - 1]) - uint32_t(cell_key[d->column_first[x]])) + 1;
    if (slots <= 8 * cell_key.size() + 65536) {
      d->column_slots.resize(columns);
      d->cell_items.assign(slots, CellItems{0, 0});
      uint32_t next = 0;
      for (size_t x = 0; x < columns; ++x) {
        const uint32_t c0 = d->column_first[x], c1 = d->column_first[x + 1];
        if (c0 == c1) {
          d->column_slots[x] = {next, 0, 0};
          continue;
        }
        const uint32_t y0 = uint32_t(cell_key[c0]), y1 = uint32_t(cell_key[c1 - 1]);
        d->column_slots[x] = {next, y0, y1 - y0 + 1};
        for (uint32_t c = c0; c < c1; ++c) d->cell_items[next + (uint32_t(cell_key[c]) - y0)] = {cell_first[c], cell_first[c + 1]};
        next += y1 - y0 + 1;
      }
    }
  }
  if (!d->column_slots.empty()) deriveFine(*d, item_edge, item_part);
  if (!d->fine_first.empty()) {
    // The sub-cells' records hold everything a search reads: the per-item points and the cells'
    // item ranges would only take memory.
    d->item_points = {};
    d->cell_items = {};
  }
  item_points = d->item_points;
  fine_first = d->fine_first;
  fine_items = d->fine_items;
  column_slots = d->column_slots;
  cell_items = d->cell_items;
  column_first = d->column_first;
  column_x0 = d->column_x0;
  derived_ = std::move(d);
}

void SnapIndex::deriveFine(Derived& d, std::span<const uint32_t> item_edge, std::span<const uint32_t> item_part) {
  constexpr int32_t K = kSnapFine;
  static_assert(kSnapCellFixed % kSnapFine == 0, "sub-cells tile a cell");
  const size_t slots = d.cell_items.size();
  // Per item, per sub-column of its cell, the sub-cells its segment passes through (not its whole
  // bounding box: a diagonal segment meets a few, not a square of them). Conservative by a unit
  // either side: a sub-cell too many costs a test, one missed a wrong snap.
  struct Run {
    int8_t y0, y1;  // y0 > y1: none
  };
  std::vector<Run> runs(d.item_points.size() * K, Run{1, 0});
  std::vector<uint64_t> count(slots * K * K + 1, 0);  // first per (slot, sub-cell) once summed
  auto sub = [](double shifted, int64_t cell) {
    return int32_t(std::clamp<int64_t>(int64_t(std::floor(shifted / kFineCellFixed)) - cell * K, 0, K - 1));
  };
  auto forEachCell = [&](auto&& f) {
    for (size_t x = 0; x < d.column_slots.size(); ++x) {
      const CellSlots& col = d.column_slots[x];
      for (uint32_t k = 0; k < col.count; ++k) f(col.first_slot + k, d.column_x0 + int64_t(x), int64_t(col.y0) + k);
    }
  };
  forEachCell([&](size_t slot, int64_t cx, int64_t cy) {
    for (uint32_t i = d.cell_items[slot].first; i < d.cell_items[slot].end; ++i) {
      const SnapItemPoints& p = d.item_points[i];
      const double ax = double(p.a_lon) + kLonOffset, ay = double(p.a_lat) + kLatOffset;
      const double bx = double(p.b_lon) + kLonOffset, by = double(p.b_lat) + kLatOffset;
      const double x_lo = std::min(ax, bx), x_hi = std::max(ax, bx), y_lo = std::min(ay, by), y_hi = std::max(ay, by);
      for (int32_t a = sub(x_lo, cx); a <= sub(x_hi, cx); ++a) {
        // The segment's latitudes over this sub-column's slab of longitudes.
        double lo = y_lo, hi = y_hi;
        if (ax != bx) {
          const double s0 = std::max(x_lo, double((cx * K + a) * kFineCellFixed)), s1 = std::min(x_hi, double((cx * K + a + 1) * kFineCellFixed));
          const double ys0 = ay + (s0 - ax) * (by - ay) / (bx - ax), ys1 = ay + (s1 - ax) * (by - ay) / (bx - ax);
          lo = std::max(y_lo, std::min(ys0, ys1) - 1);
          hi = std::min(y_hi, std::max(ys0, ys1) + 1);
        }
        const Run run{int8_t(sub(lo, cy)), int8_t(sub(hi, cy))};
        runs[size_t(i) * K + a] = run;
        for (int32_t b = run.y0; b <= run.y1; ++b) ++count[slot * K * K + a * K + b];
      }
    }
  });
  uint64_t total = 0;
  for (uint64_t& c : count) total += std::exchange(c, total);
  if (total > std::min<uint64_t>(kMaxFineCopies * d.item_points.size() + 65536, UINT32_MAX)) return;
  for (const uint32_t part : item_part)
    if (part & kRepeat) return;  // no room for the flag (no real polyline is that long)
  d.fine_first.assign(count.begin(), count.end());
  d.fine_items.resize(total);
  forEachCell([&](size_t slot, int64_t, int64_t) {
    for (uint32_t i = d.cell_items[slot].first; i < d.cell_items[slot].end; ++i) {
      uint32_t repeat = 0;
      for (int32_t a = 0; a < K; ++a) {
        const Run run = runs[size_t(i) * K + a];
        for (int32_t b = run.y0; b <= run.y1; ++b, repeat = kRepeat)
          d.fine_items[count[slot * K * K + a * K + b]++] = {d.item_points[i], item_edge[i], item_part[i] | repeat};
      }
    }
  });
}

SnapResult SnapIndex::snapOnto(const RoadMap& road, double lon, double lat, double radius_m, double mx, double my, uint32_t e, uint32_t part,
                               double t) {
  SnapResult best;
  best.edge = e;
  best.part = part;
  const double alon = toDegrees(road.polylineLon(e, part)), alat = toDegrees(road.polylineLat(e, part));
  const double blon = toDegrees(road.polylineLon(e, part + 1)), blat = toDegrees(road.polylineLat(e, part + 1));
  best.lon = alon + t * (blon - alon);
  best.lat = alat + t * (blat - alat);
  // Fraction along the polyline by length (locally planar: exact enough within one road, and free
  // of trigonometry per point).
  double before = 0, total = 0;
  for (uint32_t i = 0; i + 1 < road.polylineSize(e); ++i) {
    const double lx = (road.polylineLon(e, i + 1) - road.polylineLon(e, i)) * mx;
    const double ly = (road.polylineLat(e, i + 1) - road.polylineLat(e, i)) * my;
    const double len = std::sqrt(lx * lx + ly * ly);
    if (i < part) before += len;
    if (i == part) before += t * len;
    total += len;
  }
  best.fraction = total > 0 ? std::clamp(before / total, 0.0, 1.0) : 0.0;
  best.distance_m = haversineMeters(lon, lat, best.lon, best.lat);
  best.found = best.distance_m <= radius_m + 1e-6;
  return best;
}

void SnapIndex::prefetch(double lon, double lat, int stage) const {
  if (fine_first.empty() || !(std::abs(lon) <= 180 && std::abs(lat) <= 90)) return;
  constexpr int64_t K = kSnapFine;
  const int64_t x = (toFixed(lon) + kLonOffset) / kFineCellFixed, y = (toFixed(lat) + kLatOffset) / kFineCellFixed;
  if (x / K < column_x0 || x / K - column_x0 >= int64_t(column_slots.size())) return;
  const CellSlots& col = column_slots[x / K - column_x0];
  if (y / K < col.y0 || y / K >= int64_t(col.y0) + col.count) return;
  const size_t f = fineRun(col, x, y);
  if (stage == 0) {
    __builtin_prefetch(fine_first.data() + f);
    __builtin_prefetch(fine_first.data() + f + 1);
    return;
  }
  const uintptr_t b = reinterpret_cast<uintptr_t>(fine_items.data() + fine_first[f]);
  const uintptr_t e = std::min(reinterpret_cast<uintptr_t>(fine_items.data() + fine_first[f + 1]), b + 512);
  for (uintptr_t l = b & ~uintptr_t(63); l < e; l += 64) __builtin_prefetch(reinterpret_cast<const void*>(l));
}

SnapIndex::SnapIndex(const SnapIndexData& d, const RoadMap& road)
    : cell_key(d.cell_key), cell_first(d.cell_first), item_edge(d.item_edge), item_part(d.item_part) {
  derive(road);
}

SnapIndex::SnapIndex(const MappedMap& m, const RoadMap& road)
    : cell_key(m.section<uint64_t>("snap_cell_key")),
      cell_first(m.section<uint32_t>("snap_cell_first")),
      item_edge(m.section<uint32_t>("snap_item_edge")),
      item_part(m.section<uint32_t>("snap_item_part")) {
  bool ok = cell_first.size() == cell_key.size() + 1 && item_part.size() == item_edge.size() &&
            cell_first.back() == item_edge.size();
  for (size_t i = 0; ok && i < cell_key.size(); ++i) ok = cell_first[i] <= cell_first[i + 1] && (i == 0 || cell_key[i - 1] < cell_key[i]);
  // Each item is a sub-segment (part, part + 1) of an existing edge's polyline (map_loader_fuzz found
  // a part past the polyline's end, read out of bounds when snapping).
  for (size_t i = 0; ok && i < item_edge.size(); ++i)
    ok = item_edge[i] < road.edgeCount() && uint64_t(item_part[i]) + 1 < road.polylineSize(item_edge[i]);
  if (!ok) throw Error("MapCorrupt", m.path() + " has an inconsistent snapping index");
  // The column table's size follows the keys' span of longitudes: one cellX per 0.002 degrees, so
  // at most 180,000 columns; anything wider is a corrupt key.
  if (!cell_key.empty() && (cell_key.back() >> 32) - (cell_key.front() >> 32) > uint64_t(2 * cellX(kLonOffset)))
    throw Error("MapCorrupt", m.path() + " has an inconsistent snapping index");
  derive(road);
}

}  // namespace waymark
