#include "ch/ch_graph.h"

#include <algorithm>

namespace waymark {

CHGraph::CHGraph(const ContractionHierarchy& ch)
    : rank(ch.rank),
      input_node(ch.input_node),
      up_first(ch.up_first),
      up_head(ch.up_head),
      up_weight(ch.up_weight),
      up_distance(ch.up_distance),
      up_middle(ch.up_middle),
      down_first(ch.down_first),
      down_head(ch.down_head),
      down_weight(ch.down_weight),
      down_distance(ch.down_distance),
      down_middle(ch.down_middle) {
  buildSearchGraph();
}

void CHGraph::buildSearchGraph() {
  auto g = std::make_shared<CHSearchGraph>();
  const uint32_t n = nodeCount();
  // Lower neighbours of each node (both arc directions), for the depth-first numbering.
  std::vector<uint32_t> child_first(n + 1, 0), child;
  for (uint32_t v = 0; v < n; ++v) {
    for (uint32_t i = up_first[v]; i < up_first[v + 1]; ++i) ++child_first[up_head[i] + 1];
    for (uint32_t i = down_first[v]; i < down_first[v + 1]; ++i) ++child_first[down_head[i] + 1];
  }
  for (uint32_t v = 0; v < n; ++v) child_first[v + 1] += child_first[v];
  child.resize(child_first[n]);
  {
    std::vector<uint32_t> fill(child_first.begin(), child_first.end() - 1);
    for (uint32_t v = 0; v < n; ++v) {
      for (uint32_t i = up_first[v]; i < up_first[v + 1]; ++i) child[fill[up_head[i]]++] = v;
      for (uint32_t i = down_first[v]; i < down_first[v + 1]; ++i) child[fill[down_head[i]]++] = v;
    }
  }
  constexpr uint32_t kUnnumbered = 0xFFFFFFFFu;
  g->id_of_rank.assign(n, kUnnumbered);
  g->rank_of_id.reserve(n);
  std::vector<uint32_t> stack;
  for (uint32_t root = n; root-- > 0;) {
    if (g->id_of_rank[root] != kUnnumbered) continue;
    stack.push_back(root);
    while (!stack.empty()) {
      const uint32_t v = stack.back();
      stack.pop_back();
      if (g->id_of_rank[v] != kUnnumbered) continue;
      g->id_of_rank[v] = static_cast<uint32_t>(g->rank_of_id.size());
      g->rank_of_id.push_back(v);
      // Highest child last, so it is numbered next.
      for (uint32_t i = child_first[v]; i < child_first[v + 1]; ++i)
        if (g->id_of_rank[child[i]] == kUnnumbered) stack.push_back(child[i]);
    }
  }
  g->nodes.resize(n + 1);
  g->arcs.reserve(up_head.size() + down_head.size());
  g->ch_arc.reserve(up_head.size() + down_head.size());
  g->arc_tail.reserve(up_head.size() + down_head.size());
  for (uint32_t id = 0; id < n; ++id) {
    const uint32_t v = g->rank_of_id[id];
    g->nodes[id].first = static_cast<uint32_t>(g->arcs.size());
    for (uint32_t i = up_first[v]; i < up_first[v + 1]; ++i) {
      g->arcs.push_back({g->id_of_rank[up_head[i]], up_weight[i]});
      g->ch_arc.push_back(i);
      g->arc_tail.push_back(id);
    }
    g->nodes[id].down_first = static_cast<uint32_t>(g->arcs.size());
    for (uint32_t i = down_first[v]; i < down_first[v + 1]; ++i) {
      g->arcs.push_back({g->id_of_rank[down_head[i]], down_weight[i]});
      g->ch_arc.push_back(i);
      g->arc_tail.push_back(id);
    }
  }
  g->nodes[n] = {static_cast<uint32_t>(g->arcs.size()), static_cast<uint32_t>(g->arcs.size())};
  search_ = std::move(g);
}

CHGraph::CHGraph(const MappedMap& m)
    : rank(m.section<uint32_t>("ch_rank")),
      input_node(m.section<uint32_t>("ch_input_node")),
      up_first(m.section<uint32_t>("ch_up_first")),
      up_head(m.section<uint32_t>("ch_up_head")),
      up_weight(m.section<uint32_t>("ch_up_weight")),
      up_distance(m.section<uint32_t>("ch_up_distance")),
      up_middle(m.section<uint32_t>("ch_up_middle")),
      down_first(m.section<uint32_t>("ch_down_first")),
      down_head(m.section<uint32_t>("ch_down_head")),
      down_weight(m.section<uint32_t>("ch_down_weight")),
      down_distance(m.section<uint32_t>("ch_down_distance")),
      down_middle(m.section<uint32_t>("ch_down_middle")) {
  const size_t n = rank.size();
  bool ok = input_node.size() == n && up_first.size() == n + 1 && down_first.size() == n + 1 && up_first[n] == up_head.size() &&
            down_first[n] == down_head.size() && up_weight.size() == up_head.size() &&
            up_distance.size() == up_head.size() && up_middle.size() == up_head.size() &&
            down_weight.size() == down_head.size() && down_distance.size() == down_head.size() &&
            down_middle.size() == down_head.size();
  for (size_t v = 0; ok && v < n; ++v)
    ok = up_first[v] <= up_first[v + 1] && down_first[v] <= down_first[v + 1] && rank[v] < n && input_node[rank[v]] == v;
  for (size_t i = 0; ok && i < up_head.size(); ++i) ok = up_head[i] < n && (up_middle[i] == kNoMiddle || up_middle[i] < n);
  for (size_t i = 0; ok && i < down_head.size(); ++i)
    ok = down_head[i] < n && (down_middle[i] == kNoMiddle || down_middle[i] < n);
  if (!ok) throw Error("MapCorrupt", m.path() + " has an inconsistent contraction hierarchy");
  buildSearchGraph();
}

void addCHSections(MapWriter& w, const ContractionHierarchy& ch) {
  w.add("ch_rank", ch.rank);
  w.add("ch_input_node", ch.input_node);
  w.add("ch_up_first", ch.up_first);
  w.add("ch_up_head", ch.up_head);
  w.add("ch_up_weight", ch.up_weight);
  w.add("ch_up_distance", ch.up_distance);
  w.add("ch_up_middle", ch.up_middle);
  w.add("ch_down_first", ch.down_first);
  w.add("ch_down_head", ch.down_head);
  w.add("ch_down_weight", ch.down_weight);
  w.add("ch_down_distance", ch.down_distance);
  w.add("ch_down_middle", ch.down_middle);
}

}  // namespace waymark
