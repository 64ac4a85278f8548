#pragma once
// The edge-based graph routing runs on (OSRM's model): a node per directed road segment, an arc per
// allowed turn. Turn restrictions and U-turns become missing or weighted arcs, so any shortest-path
// algorithm on it honours them exactly.
//
// Arc weight convention: weight(s1 -> s2) = duration(s1) + turn cost, i.e. a label is the cost of
// reaching the *start* of a segment. Distance of an arc = length of s1.
#include <cstdint>
#include <vector>

#include "graph/road_graph.h"

namespace waymark {

constexpr uint32_t kNoSegment = 0xFFFFFFFFu;

enum SegmentFlags : uint8_t {
  kSegmentInLargestComponent = 1,  // snapping uses only these, so every snapped pair is routable
  // Set by metrics only (metric/metric.h): open, but outside the largest component of the metric's
  // open arcs (a pocket reached only over excluded or closed roads). Snapped to only when no road of
  // the largest component lies within the radius.
  kSegmentInSmallComponent = 2,
};

struct EdgeBasedGraph {
  std::vector<uint32_t> segment_edge_dir;  // edge * 2 + (0 = from->to, 1 = to->from)
  std::vector<uint32_t> segment_duration;  // ms
  std::vector<uint32_t> segment_length_cm;
  std::vector<uint8_t> segment_flags;
  std::vector<uint32_t> edge_segment;  // [edge * 2 + dir] -> segment or kNoSegment
  std::vector<uint32_t> turn_first;    // CSR over segments
  std::vector<uint32_t> turn_head;
  std::vector<uint32_t> turn_weight;  // ms, incl. the source segment's duration
  // Via-way restrictions duplicate the segments along their via paths (entered only from the
  // restriction's from segment), so the graph remembers the path driven. Copies come after the
  // originals: segment originalCount() + i duplicates copy_original[i]. copy_index_* lists
  // (original, copy) pairs sorted by original, so a route may end on any copy of its target.
  std::vector<uint32_t> copy_original;
  std::vector<uint32_t> copy_index_original;
  std::vector<uint32_t> copy_index_segment;

  uint32_t segmentCount() const { return static_cast<uint32_t>(segment_edge_dir.size()); }
  uint32_t originalCount() const { return segmentCount() - static_cast<uint32_t>(copy_original.size()); }
};

struct EdgeBasedOptions {
  uint32_t u_turn_penalty_ms = 20000;
};

EdgeBasedGraph buildEdgeBasedGraph(const RoadGraph& g, const EdgeBasedOptions& options);

}  // namespace waymark
