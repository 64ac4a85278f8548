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
  // polylines took about six dependent loads and two branches per item.
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
  std::span<const CellItems> cell_items;

  SnapIndex() = default;
  SnapIndex(const SnapIndexData& d, const RoadMap& road);
  SnapIndex(const MappedMap& map, const RoadMap& road);

  // Nearest point within radius_m of (lon, lat) on a road accepted by `accept`; found = false if none.
  template <typename Accept>
  SnapResult snapToRoad(const RoadMap& road, double lon, double lat, double radius_m, Accept&& accept) const;

 private:
  struct Derived {
    std::vector<SnapItemPoints> item_points;
    std::vector<uint32_t> column_first;
    int64_t column_x0 = 0;
    std::vector<CellSlots> column_slots;
    std::vector<CellItems> cell_items;
  };
  std::shared_ptr<const Derived> derived_;
  void derive(const RoadMap& road);
};

}  // namespace waymark

#include "spatial/snap_index_inl.h"
