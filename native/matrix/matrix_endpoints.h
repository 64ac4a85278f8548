#pragma once
// The endpoints of a many-to-many request as both matrix methods (buckets, RPHAST) see them: every
// target's positions (with via-way copies: a route may end on a copy of the target's segment),
// which targets lie on which segment, and every source's search seeds. A source on a segment some
// target lies on leaves that segment first (seeds on its successors), and the direct case of a target
// ahead on the same segment is answered separately, exactly as for single routes.
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "graph/edge_based_map.h"
#include "route/endpoints.h"

namespace waymark {

struct MatrixEndpoints {
  struct SameSegmentTarget {
    uint32_t target;
    double fraction;
  };
  std::vector<std::vector<SegmentPosition>> target_positions;
  std::unordered_map<uint32_t, std::vector<SameSegmentTarget>> on_segment;  // segment -> targets on it
  std::vector<std::vector<SegmentPosition>> source_positions;
  std::vector<std::vector<SearchEndpoint>> source_seeds;

  // Lowers row entries of source s (targets begin .. begin + count) to the direct same-segment costs.
  void directSameSegment(const EdgeBasedView& eb, uint32_t s, uint32_t begin, uint32_t count, int64_t* ms, int64_t* cm) const;
};

MatrixEndpoints matrixEndpoints(const EdgeBasedView& eb, const std::vector<SnapResult>& sources, const std::vector<SnapResult>& targets);

}  // namespace waymark
