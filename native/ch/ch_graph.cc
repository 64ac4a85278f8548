#include "ch/ch_graph.h"

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
      down_middle(ch.down_middle) {}

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

namespace waymark {

const CHQueryLayout& CHGraph::queryLayout() const {
  std::call_once(query_layout_->once, [this] {
    CHQueryLayout& q = query_layout_->layout;
    const uint32_t n = nodeCount();
    if (arcCount() > 0xFFFFFFFFull) throw Error("MapTooLarge", "the contraction hierarchy has more than 2^32 arcs");
    q.first.resize(2 * size_t(n) + 1);
    q.arcs.resize(up_head.size() + down_head.size());
    q.origin.resize(q.arcs.size());
    uint32_t k = 0;
    for (uint32_t v = 0; v < n; ++v) {
      q.first[2 * v] = k;
      for (uint32_t i = up_first[v]; i < up_first[v + 1]; ++i, ++k) q.arcs[k] = {up_head[i], up_weight[i]}, q.origin[k] = i;
      q.first[2 * v + 1] = k;
      for (uint32_t i = down_first[v]; i < down_first[v + 1]; ++i, ++k) q.arcs[k] = {down_head[i], down_weight[i]}, q.origin[k] = i;
    }
    q.first[2 * size_t(n)] = k;
  });
  return query_layout_->layout;
}

}  // namespace waymark
