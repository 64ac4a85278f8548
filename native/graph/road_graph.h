#pragma once
// The node-based road graph after import: junctions are nodes, each edge is a compressed chain of
// OSM segments between junctions that keeps its shape points. Flat arrays only, so the same layout
// is written to and memory-mapped from the map file.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace waymark {

constexpr uint32_t kNotAllowed = std::numeric_limits<uint32_t>::max();  // edge duration: no travel this way
constexpr uint32_t kNoNodeId = std::numeric_limits<uint32_t>::max();

enum NodeFlags : uint8_t {
  kNodeTrafficSignal = 1,
  kNodeBarrier = 2,  // one side of a blocking barrier (each side is its own dead-end node)
};

struct RoadGraph {
  // nodes
  std::vector<int32_t> node_lon;  // 1e-7 degrees
  std::vector<int32_t> node_lat;
  std::vector<uint8_t> node_flags;
  std::vector<int64_t> node_osm_id;  // both dead-end nodes of a barrier keep the barrier's id
  // edges (undirected storage, per-direction durations; "forward" = from -> to)
  std::vector<uint32_t> edge_from;
  std::vector<uint32_t> edge_to;
  std::vector<uint32_t> edge_duration_forward;   // milliseconds, kNotAllowed if closed that way
  std::vector<uint32_t> edge_duration_backward;  // milliseconds, kNotAllowed if closed that way
  std::vector<uint32_t> edge_length_cm;
  std::vector<uint32_t> edge_name;
  std::vector<uint8_t> edge_class;
  std::vector<uint8_t> edge_flags;
  std::vector<uint32_t> edge_ref;       // name-table id of the way's ref=* (0 = none)
  std::vector<uint8_t> edge_surface;    // Surface
  std::vector<uint8_t> edge_access;     // RoadAccess
  std::vector<uint8_t> edge_maxspeed;   // km/h, kMaxspeedUnknown / kMaxspeedNone
  std::vector<uint32_t> edge_shape_first;  // CSR into shape_*: interior points only, from -> to order
  std::vector<int32_t> shape_lon;
  std::vector<int32_t> shape_lat;
  std::vector<int64_t> shape_osm_id;  // OSM node id of each shape point (live traffic, annotations)
  // incidence: node -> incident edges (CSR)
  std::vector<uint32_t> node_first_edge;
  std::vector<uint32_t> node_edges;
  // names
  std::vector<uint32_t> name_first;
  std::string name_chars;
  // via-node turn restrictions: turning from edge `from` into edge `to` at node `via`
  std::vector<uint32_t> restriction_from;
  std::vector<uint32_t> restriction_via;
  std::vector<uint32_t> restriction_to;
  std::vector<uint8_t> restriction_kind;  // RestrictionKind
  // via-way turn restrictions as edge paths in travel order (from edge, via edges, to edge):
  // path r is via_way_edges[via_way_first[r], via_way_first[r + 1]); via_way_nodes is parallel and
  // holds, for every edge but the last, the node where it meets the next one (kNoNodeId for the last).
  std::vector<uint32_t> via_way_first{0};
  std::vector<uint32_t> via_way_edges;
  std::vector<uint32_t> via_way_nodes;
  std::vector<uint8_t> via_way_kind;  // RestrictionKind

  uint32_t nodeCount() const { return static_cast<uint32_t>(node_lon.size()); }
  uint32_t edgeCount() const { return static_cast<uint32_t>(edge_from.size()); }
  uint32_t viaWayCount() const { return static_cast<uint32_t>(via_way_kind.size()); }
};

// Rebuilds node_first_edge/node_edges from edge_from/edge_to.
void buildIncidence(RoadGraph& g);

}  // namespace waymark
