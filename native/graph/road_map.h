#pragma once
// The road graph as it lies in a mapped map file: spans over the file, no copies. Section names
// live here only, for both the writer and the reader.
#include <span>
#include <string_view>

#include "graph/map_file.h"
#include "graph/road_graph.h"

namespace waymark {

void addRoadGraphSections(MapWriter& writer, const RoadGraph& g);

struct RoadMap {
  explicit RoadMap(const MappedMap& map);
  explicit RoadMap(const RoadGraph& g);  // a view of an in-memory graph (during build)
  std::span<const int32_t> node_lon, node_lat;
  std::span<const uint8_t> node_flags;
  std::span<const int64_t> node_osm_id;
  std::span<const uint32_t> edge_from, edge_to, edge_duration_forward, edge_duration_backward, edge_length_cm, edge_name;
  std::span<const uint8_t> edge_class, edge_flags;
  std::span<const uint32_t> edge_ref;
  std::span<const uint8_t> edge_surface, edge_access, edge_maxspeed;
  std::span<const uint32_t> edge_shape_first;
  std::span<const int32_t> shape_lon, shape_lat;
  std::span<const int64_t> shape_osm_id;
  std::span<const uint32_t> node_first_edge, node_edges;
  std::span<const uint32_t> name_first;
  std::span<const char> name_chars;
  std::span<const uint32_t> restriction_from, restriction_via, restriction_to;
  std::span<const uint8_t> restriction_kind;

  uint32_t nodeCount() const { return static_cast<uint32_t>(node_lon.size()); }
  uint32_t edgeCount() const { return static_cast<uint32_t>(edge_from.size()); }
  // Polyline of an edge: from-node, shape points, to-node.
  uint32_t polylineSize(uint32_t e) const { return edge_shape_first[e + 1] - edge_shape_first[e] + 2; }
  int32_t polylineLon(uint32_t e, uint32_t i) const {
    return i == 0 ? node_lon[edge_from[e]] : i + 1 == polylineSize(e) ? node_lon[edge_to[e]] : shape_lon[edge_shape_first[e] + i - 1];
  }
  int32_t polylineLat(uint32_t e, uint32_t i) const {
    return i == 0 ? node_lat[edge_from[e]] : i + 1 == polylineSize(e) ? node_lat[edge_to[e]] : shape_lat[edge_shape_first[e] + i - 1];
  }
  // OSM node id of polyline point i of edge e.
  int64_t polylineOsmId(uint32_t e, uint32_t i) const {
    return i == 0 ? node_osm_id[edge_from[e]] : i + 1 == polylineSize(e) ? node_osm_id[edge_to[e]] : shape_osm_id[edge_shape_first[e] + i - 1];
  }
  std::string_view name(uint32_t id) const {
    return std::string_view(name_chars.data() + name_first[id], name_first[id + 1] - name_first[id]);
  }
};

}  // namespace waymark
