#include "spatial/snap_index.h"

#include <algorithm>
#include <cmath>
#include <tuple>

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
  item_points = d->item_points;
  column_slots = d->column_slots;
  cell_items = d->cell_items;
  column_first = d->column_first;
  column_x0 = d->column_x0;
  derived_ = std::move(d);
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
