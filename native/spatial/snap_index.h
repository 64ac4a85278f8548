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
  };
  std::shared_ptr<const Derived> derived_;
  void derive(const RoadMap& road);
};

}  // namespace waymark

#include "spatial/snap_index_inl.h"
