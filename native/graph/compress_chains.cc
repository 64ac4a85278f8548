#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "graph/build_road_graph.h"

namespace waymark {

namespace {

struct Oriented {
  uint32_t forward, backward;  // durations in the direction of travel through the chain
};

Oriented orient(const RoadGraph& g, uint32_t e, bool along) {
  return along ? Oriented{g.edge_duration_forward[e], g.edge_duration_backward[e]}
               : Oriented{g.edge_duration_backward[e], g.edge_duration_forward[e]};
}

bool sameSpeed(uint32_t dur_a, uint32_t len_a, uint32_t dur_b, uint32_t len_b) {
  if (dur_a == kNotAllowed || dur_a == 0 || dur_b == 0 || len_a == 0 || len_b == 0) return true;
  const double sa = double(len_a) / dur_a, sb = double(len_b) / dur_b;
  return std::abs(sa - sb) <= 0.01 * std::max(sa, sb);
}

}  // namespace

void compressDegreeTwoChains(RoadGraph& g) {
  buildIncidence(g);
  const uint32_t n = g.nodeCount(), m = g.edgeCount();
  std::vector<bool> is_via(n, false);
  for (uint32_t v : g.restriction_via) is_via[v] = true;
  for (uint32_t v : g.via_way_nodes)
    if (v != kNoNodeId) is_via[v] = true;

  // A node can vanish into a chain when exactly two different, non-loop edges meet there and they
  // agree on everything a route reports or a metric may weigh: class, flags, name, ref, surface,
  // access, speed limit, allowed directions and speed.
  std::vector<bool> mergeable(n, false);
  for (uint32_t v = 0; v < n; ++v) {
    if (g.node_first_edge[v + 1] - g.node_first_edge[v] != 2 || is_via[v] || (g.node_flags[v] & kNodeBarrier)) continue;
    const uint32_t a = g.node_edges[g.node_first_edge[v]], b = g.node_edges[g.node_first_edge[v] + 1];
    if (a == b || g.edge_from[a] == g.edge_to[a] || g.edge_from[b] == g.edge_to[b]) continue;
    if (g.edge_class[a] != g.edge_class[b] || g.edge_flags[a] != g.edge_flags[b] || g.edge_name[a] != g.edge_name[b] ||
        g.edge_ref[a] != g.edge_ref[b] || g.edge_surface[a] != g.edge_surface[b] || g.edge_access[a] != g.edge_access[b] ||
        g.edge_maxspeed[a] != g.edge_maxspeed[b])
      continue;
    const Oriented in = orient(g, a, g.edge_to[a] == v);
    const Oriented out = orient(g, b, g.edge_from[b] == v);
    if ((in.forward == kNotAllowed) != (out.forward == kNotAllowed)) continue;
    if ((in.backward == kNotAllowed) != (out.backward == kNotAllowed)) continue;
    if (!sameSpeed(in.forward, g.edge_length_cm[a], out.forward, g.edge_length_cm[b]) ||
        !sameSpeed(in.backward, g.edge_length_cm[a], out.backward, g.edge_length_cm[b]))
      continue;
    mergeable[v] = true;
  }

  RoadGraph out;
  std::vector<uint32_t> edge_map(m, 0);
  std::vector<bool> visited(m, false);
  auto emitChain = [&](uint32_t start, uint32_t first_edge) {
    const uint32_t id = static_cast<uint32_t>(out.edge_from.size());
    uint64_t forward = 0, backward = 0, length = 0;
    bool forward_ok = true, backward_ok = true;
    out.edge_shape_first.push_back(static_cast<uint32_t>(out.shape_lon.size()));
    uint32_t cur = start, e = first_edge;
    for (;;) {
      const bool along = g.edge_from[e] == cur;
      const Oriented d = orient(g, e, along);
      forward_ok = forward_ok && d.forward != kNotAllowed;
      backward_ok = backward_ok && d.backward != kNotAllowed;
      if (forward_ok) forward += d.forward;
      if (backward_ok) backward += d.backward;
      length += g.edge_length_cm[e];
      const uint32_t s0 = g.edge_shape_first[e], s1 = g.edge_shape_first[e + 1];
      for (uint32_t k = 0; k < s1 - s0; ++k) {
        const uint32_t s = along ? s0 + k : s1 - 1 - k;
        out.shape_lon.push_back(g.shape_lon[s]);
        out.shape_lat.push_back(g.shape_lat[s]);
        out.shape_osm_id.push_back(g.shape_osm_id[s]);
      }
      visited[e] = true;
      edge_map[e] = id;
      const uint32_t next = along ? g.edge_to[e] : g.edge_from[e];
      if (!mergeable[next] || next == start) {
        cur = next;
        break;
      }
      out.shape_lon.push_back(g.node_lon[next]);
      out.shape_lat.push_back(g.node_lat[next]);
      out.shape_osm_id.push_back(g.node_osm_id[next]);
      const uint32_t a = g.node_edges[g.node_first_edge[next]];
      e = a == e ? g.node_edges[g.node_first_edge[next] + 1] : a;
      cur = next;
      if (visited[e]) break;  // defensive: a cycle of mergeable nodes closed on itself
    }
    out.edge_from.push_back(start);
    out.edge_to.push_back(cur);
    out.edge_duration_forward.push_back(forward_ok ? static_cast<uint32_t>(std::min<uint64_t>(forward, kNotAllowed - 1)) : kNotAllowed);
    out.edge_duration_backward.push_back(backward_ok ? static_cast<uint32_t>(std::min<uint64_t>(backward, kNotAllowed - 1)) : kNotAllowed);
    out.edge_length_cm.push_back(static_cast<uint32_t>(std::min<uint64_t>(length, 0xFFFFFFFFu)));
    out.edge_name.push_back(g.edge_name[first_edge]);
    out.edge_class.push_back(g.edge_class[first_edge]);
    out.edge_flags.push_back(g.edge_flags[first_edge]);
    out.edge_ref.push_back(g.edge_ref[first_edge]);
    out.edge_surface.push_back(g.edge_surface[first_edge]);
    out.edge_access.push_back(g.edge_access[first_edge]);
    out.edge_maxspeed.push_back(g.edge_maxspeed[first_edge]);
  };
  for (uint32_t v = 0; v < n; ++v) {
    if (mergeable[v]) continue;
    for (uint32_t i = g.node_first_edge[v]; i < g.node_first_edge[v + 1]; ++i)
      if (!visited[g.node_edges[i]]) emitChain(v, g.node_edges[i]);
  }
  // Whatever is left lies on rings made only of mergeable nodes: keep those edges as they are.
  for (uint32_t e = 0; e < m; ++e)
    if (!visited[e]) emitChain(g.edge_from[e], e);
  out.edge_shape_first.push_back(static_cast<uint32_t>(out.shape_lon.size()));

  g.edge_from = std::move(out.edge_from);
  g.edge_to = std::move(out.edge_to);
  g.edge_duration_forward = std::move(out.edge_duration_forward);
  g.edge_duration_backward = std::move(out.edge_duration_backward);
  g.edge_length_cm = std::move(out.edge_length_cm);
  g.edge_name = std::move(out.edge_name);
  g.edge_class = std::move(out.edge_class);
  g.edge_flags = std::move(out.edge_flags);
  g.edge_ref = std::move(out.edge_ref);
  g.edge_surface = std::move(out.edge_surface);
  g.edge_access = std::move(out.edge_access);
  g.edge_maxspeed = std::move(out.edge_maxspeed);
  g.edge_shape_first = std::move(out.edge_shape_first);
  g.shape_lon = std::move(out.shape_lon);
  g.shape_lat = std::move(out.shape_lat);
  g.shape_osm_id = std::move(out.shape_osm_id);
  for (auto& e : g.restriction_from) e = edge_map[e];
  for (auto& e : g.restriction_to) e = edge_map[e];
  // Via-way paths: consecutive edges that became one chain collapse into it.
  {
    std::vector<uint32_t> first{0}, edges, nodes;
    for (uint32_t r = 0; r < g.viaWayCount(); ++r) {
      for (uint32_t i = g.via_way_first[r]; i < g.via_way_first[r + 1]; ++i) {
        const uint32_t e = edge_map[g.via_way_edges[i]];
        if (edges.size() > first.back() && edges.back() == e) {
          nodes.back() = g.via_way_nodes[i];
          continue;
        }
        edges.push_back(e);
        nodes.push_back(g.via_way_nodes[i]);
      }
      first.push_back(static_cast<uint32_t>(edges.size()));
    }
    g.via_way_first = std::move(first);
    g.via_way_edges = std::move(edges);
    g.via_way_nodes = std::move(nodes);
  }
  buildIncidence(g);
}

}  // namespace waymark
