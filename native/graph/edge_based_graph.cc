#include "graph/edge_based_graph.h"

#include <algorithm>

#include "graph/scc.h"
#include "graph/via_way_copies.h"
#include "osm/profile.h"

namespace waymark {

namespace {

struct Restriction {
  uint32_t to_edge;
  uint8_t kind;
};

}  // namespace

EdgeBasedGraph buildEdgeBasedGraph(const RoadGraph& g, const EdgeBasedOptions& options) {
  EdgeBasedGraph eb;
  const uint32_t m = g.edgeCount();
  eb.edge_segment.assign(size_t(m) * 2, kNoSegment);
  for (uint32_t e = 0; e < m; ++e) {
    for (uint32_t dir = 0; dir < 2; ++dir) {
      const uint32_t d = dir == 0 ? g.edge_duration_forward[e] : g.edge_duration_backward[e];
      if (d == kNotAllowed) continue;
      eb.edge_segment[size_t(e) * 2 + dir] = eb.segmentCount();
      eb.segment_edge_dir.push_back(e * 2 + dir);
      eb.segment_duration.push_back(d);
      eb.segment_length_cm.push_back(g.edge_length_cm[e]);
    }
  }
  const uint32_t n = eb.segmentCount();
  auto headNode = [&](uint32_t s) {
    const uint32_t ed = eb.segment_edge_dir[s];
    return (ed & 1) ? g.edge_from[ed >> 1] : g.edge_to[ed >> 1];
  };

  // Restrictions grouped by their from-edge (sorted), looked up when leaving that edge at the via node.
  std::vector<uint32_t> order(g.restriction_from.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return g.restriction_from[a] < g.restriction_from[b]; });

  eb.turn_first.assign(n + 1, 0);
  std::vector<uint32_t> exits;
  for (uint32_t s = 0; s < n; ++s) {
    const uint32_t e1 = eb.segment_edge_dir[s] >> 1;
    const uint32_t v = headNode(s);
    // Restrictions that apply to this approach: from edge e1, at node v.
    bool has_only = false;
    uint32_t only_to = 0;
    std::vector<uint32_t> banned;
    auto it = std::lower_bound(order.begin(), order.end(), e1, [&](uint32_t i, uint32_t e) { return g.restriction_from[i] < e; });
    for (; it != order.end() && g.restriction_from[*it] == e1; ++it) {
      if (g.restriction_via[*it] != v) continue;
      if (g.restriction_kind[*it] == static_cast<uint8_t>(RestrictionKind::kMandatory)) {
        has_only = true;
        only_to = g.restriction_to[*it];
      } else {
        banned.push_back(g.restriction_to[*it]);
      }
    }
    exits.clear();
    uint32_t u_turn = kNoSegment;
    for (uint32_t i = g.node_first_edge[v]; i < g.node_first_edge[v + 1]; ++i) {
      const uint32_t e2 = g.node_edges[i];
      for (uint32_t dir = 0; dir < 2; ++dir) {
        const uint32_t tail = dir == 0 ? g.edge_from[e2] : g.edge_to[e2];
        if (tail != v) continue;
        const uint32_t s2 = eb.edge_segment[size_t(e2) * 2 + dir];
        if (s2 == kNoSegment) continue;
        if (has_only && e2 != only_to) continue;
        if (std::find(banned.begin(), banned.end(), e2) != banned.end()) continue;
        const bool reverse = e2 == e1 && (eb.segment_edge_dir[s2] & 1) != (eb.segment_edge_dir[s] & 1);
        if (reverse) {
          u_turn = s2;
          continue;
        }
        exits.push_back(s2);
      }
    }
    // U-turns only where nothing else is allowed (dead ends, barriers, restricted-away junctions).
    if (exits.empty() && u_turn != kNoSegment) exits.push_back(u_turn | 0x80000000u);
    for (uint32_t x : exits) {
      const bool is_u = x & 0x80000000u;
      eb.turn_head.push_back(x & 0x7FFFFFFFu);
      eb.turn_weight.push_back(eb.segment_duration[s] + (is_u ? options.u_turn_penalty_ms : 0));
    }
    eb.turn_first[s + 1] = static_cast<uint32_t>(eb.turn_head.size());
  }

  applyViaWayRestrictions(g, eb);
  const uint32_t total = eb.segmentCount();

  // Segments from which everything else can be reached and back.
  uint32_t largest = 0;
  const std::vector<uint32_t> component = stronglyConnectedComponents(eb.turn_first, eb.turn_head, largest);
  eb.segment_flags.assign(total, 0);
  for (uint32_t s = 0; s < total; ++s)
    if (component[s] == largest) eb.segment_flags[s] |= kSegmentInLargestComponent;
  return eb;
}

}  // namespace waymark
