#pragma once
// Where a snapped point lies on the edge-based graph: up to two segment positions (the two travel
// directions of its road), and the search endpoints they become. Offsets are rounded the same way
// everywhere, so the CH query and the reference Dijkstra agree to the millisecond.
#include <cmath>
#include <vector>

#include "ch/ch_query.h"
#include "graph/edge_based_map.h"
#include "spatial/snap_index.h"

namespace waymark {

struct SegmentPosition {
  uint32_t segment;
  double fraction;  // along the segment's direction of travel
};

// Whether a route may start or end on segment s of the snapped point's road.
inline bool endpointAllowed(const EdgeBasedView& eb, const SnapResult& p, uint32_t s) {
  if (s == kNoSegment) return false;
  return eb.snappable(s) || p.allow_isolated || (p.small_component && (eb.segment_flags[s] & kSegmentInSmallComponent));
}

inline void appendPositions(const EdgeBasedView& eb, const SnapResult& p, std::vector<SegmentPosition>& out) {
  for (uint32_t dir = 0; dir < 2; ++dir) {
    if (!(p.directions & (1u << dir))) continue;
    const uint32_t s = eb.segment(p.edge, dir);
    if (endpointAllowed(eb, p, s)) out.push_back({s, dir == 0 ? p.fraction : 1.0 - p.fraction});
  }
}
inline std::vector<SegmentPosition> positionsOf(const EdgeBasedView& eb, const SnapResult& p) {
  std::vector<SegmentPosition> out;
  appendPositions(eb, p, out);
  return out;
}

// Positions a route may end at: the snapped point's segments and every copy of them (a via-way
// restriction path through the road ends there too when it was entered from its from segment).
inline void appendTargetPositions(const EdgeBasedView& eb, const SnapResult& p, std::vector<SegmentPosition>& out) {
  const size_t begin = out.size();
  appendPositions(eb, p, out);
  if (eb.copy_original.empty()) return;
  const size_t originals = out.size();
  for (size_t i = begin; i < originals; ++i) {
    const auto [lo, hi] = eb.copiesOf(out[i].segment);
    for (size_t k = lo; k < hi; ++k) out.push_back({eb.copy_index_segment[k], out[i].fraction});
  }
}
inline std::vector<SegmentPosition> targetPositionsOf(const EdgeBasedView& eb, const SnapResult& p) {
  std::vector<SegmentPosition> out;
  appendTargetPositions(eb, p, out);
  return out;
}

inline int64_t partialMs(const EdgeBasedView& eb, const SegmentPosition& p) {
  return std::llround(p.fraction * eb.segment_duration[p.segment]);
}
inline int64_t partialCm(const EdgeBasedView& eb, const SegmentPosition& p) {
  return std::llround(p.fraction * eb.segment_length_cm[p.segment]);
}

// Starting at p: the cost of reaching the start of p's segment is minus the part already behind.
inline SearchEndpoint asSource(const EdgeBasedView& eb, const SegmentPosition& p) {
  return {p.segment, -partialMs(eb, p), -partialCm(eb, p)};
}
// Ending at p: from the start of p's segment, the part up to p.
inline SearchEndpoint asTarget(const EdgeBasedView& eb, const SegmentPosition& p) {
  return {p.segment, partialMs(eb, p), partialCm(eb, p)};
}

}  // namespace waymark
