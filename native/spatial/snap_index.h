#pragma once
// Snapping index: a uniform grid (cells of kSnapCellFixed 1e-7 degrees) over every sub-segment of
// every snappable road polyline, stored sparsely as sorted cell keys + CSR item lists, so it can be
// memory-mapped. snapToRoad projects onto segments (not just nodes) and searches rings of cells
// outwards until nothing closer can exist.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "graph/map_file.h"
#include "graph/road_map.h"

namespace waymark {

constexpr int32_t kSnapCellFixed = 20000;  // 0.002 degrees: ~220 m north-south

struct SnapIndexData {
  std::vector<uint64_t> cell_key;
  std::vector<uint32_t> cell_first;
  std::vector<uint32_t> item_edge;
  std::vector<uint32_t> item_part;  // sub-segment index within the edge polyline
};

// Indexes every road; which ones a query may snap to is decided per query (see snapToRoad).
SnapIndexData buildSnapIndex(const RoadMap& road);
void addSnapSections(MapWriter& writer, const SnapIndexData& index);

struct SnapResult {
  bool found = false;
  uint32_t edge = 0;
  double fraction = 0;  // position along the edge polyline from its from-node, by length
  uint32_t part = 0;    // the polyline segment it lies on: between points part and part + 1
  double lon = 0, lat = 0;
  double distance_m = 0;
  bool allow_isolated = false;  // may start/end on segments outside the largest component
  // A metric's fallback: nothing of its largest component lay within the radius, so the point
  // snapped onto a smaller one (kSegmentInSmallComponent); it may start/end on such segments.
  bool small_component = false;
  uint8_t directions = 3;       // travel directions a route may use here: bit 0 from->to, bit 1 to->from (bearings, approaches)
};


// A sub-segment's end points in fixed units, as road.polylineLon/Lat give them.
struct SnapItemPoints {
  int32_t a_lon, a_lat, b_lon, b_lat;
};

struct SnapIndex {
  std::span<const uint64_t> cell_key;
  std::span<const uint32_t> cell_first;
  std::span<const uint32_t> item_edge;
  std::span<const uint32_t> item_part;
  // Per item its end points, copied from the road's polylines when the index is opened (16 bytes
  // per item, not in the file; shared by copies of the index, e.g. a metric's view of the map): a
  // snap scans a cell's items in one sequential sweep, where reading the points through the
  // polylines took about six dependent loads and two branches per item. Empty when the sub-cells
  // below are built (their records hold the points).
  std::span<const SnapItemPoints> item_points;
  // Where each column of cells (one cellX) starts in cell_key, for columns column_x0.. (also built
  // at open, 4 bytes per column): a snap's binary search runs over one column's few cells instead
  // of the whole key array, whose last steps were dependent cache misses.
  std::span<const uint32_t> column_first;
  int64_t column_x0 = 0;
  // Per column its cells as a dense run of item ranges, one slot per cellY from the column's first
  // non-empty cell to its last (also built at open, when all columns together hold at most 8 slots
  // per non-empty cell plus 64 Ki; otherwise empty and the binary search serves): a cell's items
  // are then one load away instead of a binary search's dependent misses and cell_first's.
  struct CellSlots {
    uint32_t first_slot;  // in cell_items
    uint32_t y0;          // cellY of the first slot
    uint32_t count;
  };
  struct CellItems {
    uint32_t first, end;  // range of items (item_points, item_edge, item_part)
  };
  std::span<const CellSlots> column_slots;  // per column from column_x0, when built
  std::span<const CellItems> cell_items;     // per slot; empty when the sub-cells are built
  // A finer grid inside the dense slots (also built at open, when the slots are and it holds at
  // most kMaxFineCopies items per item): each cell split into kSnapFine x kSnapFine sub-cells, each
  // with its own run of items (an item in every sub-cell its bounding box meets), the points, edge
  // and part of an item in one record. A snap near a road then reads a few records instead of the
  // ≈80 items of a whole cell (most of a snap's time on malta); its first rings are searched in
  // sub-cells, and the cell search takes over past them with the best found so far, reading a
  // cell as the runs of its sub-cells (which follow each other).
  struct FineItem {
    SnapItemPoints p;
    uint32_t edge, part;  // part | kRepeat on every copy of an item in its cell but the first
  };
  // A search reading a whole cell skips those: each of its items once, as the cell's own list.
  static constexpr uint32_t kRepeat = 1u << 31;
  static constexpr int32_t kSnapFine = 2;
  static constexpr int32_t kFineCellFixed = kSnapCellFixed / kSnapFine;
  static constexpr int kFineRings = 4;
  static constexpr size_t kMaxFineCopies = 3;
  std::span<const uint32_t> fine_first;  // per slot kSnapFine^2 runs (x-major), then one end
  std::span<const FineItem> fine_items;
  // Where sub-cell (x, y) (sub-cell units), in a cell of column `col`, has its run in fine_first.
  static size_t fineRun(const CellSlots& col, int64_t x, int64_t y) {
    return (size_t(col.first_slot) + size_t(y / kSnapFine - col.y0)) * (kSnapFine * kSnapFine) + size_t((x % kSnapFine) * kSnapFine + y % kSnapFine);
  }
  // Calls f(item) for every item of slot `slot` once: its sub-cells' runs follow each other, and an
  // item's copies after the first carry kRepeat.
  template <typename F>
  void forEachFineItemOfSlot(size_t slot, F&& f) const {
    constexpr size_t KK = kSnapFine * kSnapFine;
    for (uint32_t i = fine_first[slot * KK]; i < fine_first[(slot + 1) * KK]; ++i)
      if (!(fine_items[i].part & kRepeat)) f(fine_items[i]);
  }

  SnapIndex() = default;
  SnapIndex(const SnapIndexData& d, const RoadMap& road);
  SnapIndex(const MappedMap& map, const RoadMap& road);

  // Calls f(points, edge, part) for every item of the cells (x0..x1, y0..y1) of the cell grid (an
  // item in several cells comes once per cell).
  template <typename F>
  void forEachItemInCells(int64_t x0, int64_t x1, int64_t y0, int64_t y1, F&& f) const;

  // Starts loading what a snap at (lon, lat) reads first, so that snapping several points overlaps
  // their cache misses instead of waiting for one chain after another: stage 0 the bounds of its
  // sub-cell's run, stage 1 (called later, once those have arrived) the run itself.
  void prefetch(double lon, double lat, int stage) const;

  // Nearest point within radius_m of (lon, lat) on a road accepted by `accept`; found = false if none.
  template <typename Accept>
  SnapResult snapToRoad(const RoadMap& road, double lon, double lat, double radius_m, Accept&& accept) const;
  // The same answer by the obvious way, every sub-segment of every road (tests' oracle).
  template <typename Accept>
  static SnapResult snapByScanningAll(const RoadMap& road, double lon, double lat, double radius_m, Accept&& accept);
  // The result for (lon, lat) snapped onto sub-segment `part` of edge e at t along it (mx, my:
  // metres per fixed unit east and north there).
  static SnapResult snapOnto(const RoadMap& road, double lon, double lat, double radius_m, double mx, double my, uint32_t e, uint32_t part,
                             double t);

 private:
  struct Derived {
    std::vector<SnapItemPoints> item_points;
    std::vector<uint32_t> column_first;
    int64_t column_x0 = 0;
    std::vector<CellSlots> column_slots;
    std::vector<CellItems> cell_items;
    std::vector<uint32_t> fine_first;
    std::vector<FineItem> fine_items;
  };
  std::shared_ptr<const Derived> derived_;
  void derive(const RoadMap& road);
  static void deriveFine(Derived& d, std::span<const uint32_t> item_edge, std::span<const uint32_t> item_part);
};

}  // namespace waymark

#include "spatial/snap_index_inl.h"
