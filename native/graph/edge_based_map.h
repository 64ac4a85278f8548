#pragma once
// The edge-based graph as spans (over a mapped file, or over an EdgeBasedGraph being built).
#include <algorithm>
#include <span>
#include <utility>

#include "graph/edge_based_graph.h"
#include "graph/map_file.h"

namespace waymark {

struct EdgeBasedView {
  std::span<const uint32_t> segment_edge_dir, segment_duration, segment_length_cm;
  std::span<const uint8_t> segment_flags;
  std::span<const uint32_t> edge_segment;
  std::span<const uint32_t> turn_first, turn_head, turn_weight;
  std::span<const uint32_t> copy_original, copy_index_original, copy_index_segment;

  EdgeBasedView() = default;
  explicit EdgeBasedView(const EdgeBasedGraph& g);
  EdgeBasedView(const MappedMap& map, uint32_t edge_count);
  uint32_t segmentCount() const { return static_cast<uint32_t>(segment_edge_dir.size()); }
  uint32_t segment(uint32_t edge, uint32_t dir) const { return edge_segment[size_t(edge) * 2 + dir]; }
  bool snappable(uint32_t s) const { return s != kNoSegment && (segment_flags[s] & kSegmentInLargestComponent); }
  uint32_t originalCount() const { return segmentCount() - static_cast<uint32_t>(copy_original.size()); }
  // The segment itself if original, else the original it duplicates.
  uint32_t original(uint32_t s) const { return s < originalCount() ? s : copy_original[s - originalCount()]; }
  // Copies of an original segment (via-way restriction paths through it), as an index range into copy_index_segment.
  std::pair<size_t, size_t> copiesOf(uint32_t s) const {
    auto lo = std::lower_bound(copy_index_original.begin(), copy_index_original.end(), s);
    auto hi = std::upper_bound(lo, copy_index_original.end(), s);
    return {size_t(lo - copy_index_original.begin()), size_t(hi - copy_index_original.begin())};
  }
};

void addEdgeBasedSections(MapWriter& writer, const EdgeBasedGraph& g);

}  // namespace waymark
