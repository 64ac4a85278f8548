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

  uint32_t segmentCount() const { return static_cast<uint32_t>(segment_edge_dir.size()); }
};

struct EdgeBasedOptions {
  uint32_t u_turn_penalty_ms = 20000;
};

EdgeBasedGraph buildEdgeBasedGraph(const RoadGraph& g, const EdgeBasedOptions& options);

}  // namespace waymark
