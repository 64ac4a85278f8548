#include <limits>

#include "graph/build_road_graph.h"
#include "graph/scc.h"

namespace waymark {

void keepLargestComponent(RoadGraph& g, RoadGraphReport& report) {
  constexpr uint32_t kDropped = std::numeric_limits<uint32_t>::max();
  const uint32_t n = g.nodeCount(), m = g.edgeCount();
  // Directed arcs of the node graph, in CSR.
  std::vector<uint32_t> first_out(n + 1, 0), head;
  for (uint32_t e = 0; e < m; ++e) {
    if (g.edge_duration_forward[e] != kNotAllowed) ++first_out[g.edge_from[e] + 1];
    if (g.edge_duration_backward[e] != kNotAllowed) ++first_out[g.edge_to[e] + 1];
  }
  for (uint32_t v = 0; v < n; ++v) first_out[v + 1] += first_out[v];
  head.resize(first_out[n]);
  {
    std::vector<uint32_t> fill(first_out.begin(), first_out.end() - 1);
    for (uint32_t e = 0; e < m; ++e) {
      if (g.edge_duration_forward[e] != kNotAllowed) head[fill[g.edge_from[e]]++] = g.edge_to[e];
      if (g.edge_duration_backward[e] != kNotAllowed) head[fill[g.edge_to[e]]++] = g.edge_from[e];
    }
  }
  uint32_t largest = 0;
  const std::vector<uint32_t> component = stronglyConnectedComponents(first_out, head, largest);

  std::vector<uint32_t> node_map(n, kDropped);
  RoadGraph out;
  for (uint32_t v = 0; v < n; ++v) {
    if (component[v] != largest) continue;
    node_map[v] = static_cast<uint32_t>(out.node_lon.size());
    out.node_lon.push_back(g.node_lon[v]);
    out.node_lat.push_back(g.node_lat[v]);
    out.node_flags.push_back(g.node_flags[v]);
    out.node_osm_id.push_back(g.node_osm_id[v]);
  }
  std::vector<uint32_t> edge_map(m, kDropped);
  for (uint32_t e = 0; e < m; ++e) {
    const uint32_t a = node_map[g.edge_from[e]], b = node_map[g.edge_to[e]];
    if (a == kDropped || b == kDropped) continue;
    edge_map[e] = static_cast<uint32_t>(out.edge_from.size());
    out.edge_from.push_back(a);
    out.edge_to.push_back(b);
    out.edge_duration_forward.push_back(g.edge_duration_forward[e]);
    out.edge_duration_backward.push_back(g.edge_duration_backward[e]);
    out.edge_length_cm.push_back(g.edge_length_cm[e]);
    out.edge_name.push_back(g.edge_name[e]);
    out.edge_class.push_back(g.edge_class[e]);
    out.edge_flags.push_back(g.edge_flags[e]);
    out.edge_ref.push_back(g.edge_ref[e]);
    out.edge_surface.push_back(g.edge_surface[e]);
    out.edge_access.push_back(g.edge_access[e]);
    out.edge_maxspeed.push_back(g.edge_maxspeed[e]);
    out.edge_shape_first.push_back(static_cast<uint32_t>(out.shape_lon.size()));
    for (uint32_t s = g.edge_shape_first[e]; s < g.edge_shape_first[e + 1]; ++s) {
      out.shape_lon.push_back(g.shape_lon[s]);
      out.shape_lat.push_back(g.shape_lat[s]);
      out.shape_osm_id.push_back(g.shape_osm_id[s]);
    }
  }
  out.edge_shape_first.push_back(static_cast<uint32_t>(out.shape_lon.size()));
  for (size_t i = 0; i < g.restriction_from.size(); ++i) {
    const uint32_t from = edge_map[g.restriction_from[i]], to = edge_map[g.restriction_to[i]];
    const uint32_t via = node_map[g.restriction_via[i]];
    if (from == kDropped || to == kDropped || via == kDropped) continue;
    out.restriction_from.push_back(from);
    out.restriction_via.push_back(via);
    out.restriction_to.push_back(to);
    out.restriction_kind.push_back(g.restriction_kind[i]);
  }
  report.nodes_dropped_outside_largest_component = n - out.nodeCount();
  report.edges_dropped_outside_largest_component = m - out.edgeCount();
  out.name_first = std::move(g.name_first);
  out.name_chars = std::move(g.name_chars);
  for (uint32_t r = 0; r < g.viaWayCount(); ++r) {
    bool kept = true;
    for (uint32_t i = g.via_way_first[r]; i < g.via_way_first[r + 1]; ++i)
      kept = kept && edge_map[g.via_way_edges[i]] != kDropped &&
             (g.via_way_nodes[i] == kNoNodeId || node_map[g.via_way_nodes[i]] != kDropped);
    if (!kept) continue;
    for (uint32_t i = g.via_way_first[r]; i < g.via_way_first[r + 1]; ++i) {
      out.via_way_edges.push_back(edge_map[g.via_way_edges[i]]);
      out.via_way_nodes.push_back(g.via_way_nodes[i] == kNoNodeId ? kNoNodeId : node_map[g.via_way_nodes[i]]);
    }
    out.via_way_first.push_back(static_cast<uint32_t>(out.via_way_edges.size()));
    out.via_way_kind.push_back(g.via_way_kind[r]);
  }
  g = std::move(out);
  buildIncidence(g);
}

}  // namespace waymark
