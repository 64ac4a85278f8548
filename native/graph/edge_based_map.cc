#include "graph/edge_based_map.h"

namespace waymark {

EdgeBasedView::EdgeBasedView(const EdgeBasedGraph& g)
    : segment_edge_dir(g.segment_edge_dir),
      segment_duration(g.segment_duration),
      segment_length_cm(g.segment_length_cm),
      segment_flags(g.segment_flags),
      edge_segment(g.edge_segment),
      turn_first(g.turn_first),
      turn_head(g.turn_head),
      turn_weight(g.turn_weight),
      copy_original(g.copy_original),
      copy_index_original(g.copy_index_original),
      copy_index_segment(g.copy_index_segment) {}

EdgeBasedView::EdgeBasedView(const MappedMap& m, uint32_t edge_count)
    : segment_edge_dir(m.section<uint32_t>("segment_edge_dir")),
      segment_duration(m.section<uint32_t>("segment_duration")),
      segment_length_cm(m.section<uint32_t>("segment_length_cm")),
      segment_flags(m.section<uint8_t>("segment_flags")),
      edge_segment(m.section<uint32_t>("edge_segment")),
      turn_first(m.section<uint32_t>("turn_first")),
      turn_head(m.section<uint32_t>("turn_head")),
      turn_weight(m.section<uint32_t>("turn_weight")),
      copy_original(m.section<uint32_t>("copy_original")),
      copy_index_original(m.section<uint32_t>("copy_index_original")),
      copy_index_segment(m.section<uint32_t>("copy_index_segment")) {
  const size_t n = segment_edge_dir.size();
  bool ok = segment_duration.size() == n && segment_length_cm.size() == n && segment_flags.size() == n &&
            edge_segment.size() == size_t(edge_count) * 2 && turn_first.size() == n + 1 && turn_first[n] == turn_head.size() &&
            turn_weight.size() == turn_head.size();
  for (size_t s = 0; ok && s < n; ++s) ok = (segment_edge_dir[s] >> 1) < edge_count && turn_first[s] <= turn_first[s + 1];
  for (size_t i = 0; ok && i < turn_head.size(); ++i) ok = turn_head[i] < n;
  for (size_t i = 0; ok && i < edge_segment.size(); ++i) ok = edge_segment[i] == kNoSegment || edge_segment[i] < n;
  const size_t copies = copy_original.size();
  ok = ok && copies <= n && copy_index_original.size() == copies && copy_index_segment.size() == copies;
  for (size_t i = 0; ok && i < copies; ++i)
    ok = copy_original[i] < n - copies && copy_index_original[i] < n - copies && copy_index_segment[i] >= n - copies &&
         copy_index_segment[i] < n && (i == 0 || copy_index_original[i - 1] <= copy_index_original[i]);
  if (!ok) throw Error("MapCorrupt", m.path() + " has an inconsistent edge-based graph");
}

void addEdgeBasedSections(MapWriter& w, const EdgeBasedGraph& g) {
  w.add("segment_edge_dir", g.segment_edge_dir);
  w.add("segment_duration", g.segment_duration);
  w.add("segment_length_cm", g.segment_length_cm);
  w.add("segment_flags", g.segment_flags);
  w.add("edge_segment", g.edge_segment);
  w.add("turn_first", g.turn_first);
  w.add("turn_head", g.turn_head);
  w.add("turn_weight", g.turn_weight);
  w.add("copy_original", g.copy_original);
  w.add("copy_index_original", g.copy_index_original);
  w.add("copy_index_segment", g.copy_index_segment);
}

}  // namespace waymark
