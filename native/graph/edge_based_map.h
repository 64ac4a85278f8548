#pragma once
// The edge-based graph as spans (over a mapped file, or over an EdgeBasedGraph being built).
#include <span>

#include "graph/edge_based_graph.h"
#include "graph/map_file.h"

namespace waymark {

struct EdgeBasedView {
  std::span<const uint32_t> segment_edge_dir, segment_duration, segment_length_cm;
  std::span<const uint8_t> segment_flags;
  std::span<const uint32_t> edge_segment;
  std::span<const uint32_t> turn_first, turn_head, turn_weight;

  EdgeBasedView() = default;
  explicit EdgeBasedView(const EdgeBasedGraph& g);
  EdgeBasedView(const MappedMap& map, uint32_t edge_count);
  uint32_t segmentCount() const { return static_cast<uint32_t>(segment_edge_dir.size()); }
  uint32_t segment(uint32_t edge, uint32_t dir) const { return edge_segment[size_t(edge) * 2 + dir]; }
  bool snappable(uint32_t s) const { return s != kNoSegment && (segment_flags[s] & kSegmentInLargestComponent); }
};

void addEdgeBasedSections(MapWriter& writer, const EdgeBasedGraph& g);

}  // namespace waymark
