#include "matrix/matrix_endpoints.h"

namespace waymark {

MatrixEndpoints matrixEndpoints(const EdgeBasedView& eb, const std::vector<SnapResult>& sources, const std::vector<SnapResult>& targets) {
  MatrixEndpoints e;
  const size_t S = sources.size(), T = targets.size();
  e.target_positions.resize(T);
  for (uint32_t t = 0; t < T; ++t) {
    e.target_positions[t] = targetPositionsOf(eb, targets[t]);
    for (const auto& q : e.target_positions[t]) e.on_segment[q.segment].push_back({t, q.fraction});
  }
  e.source_seeds.resize(S);
  e.source_positions.resize(S);
  for (uint32_t s = 0; s < S; ++s) {
    e.source_positions[s] = positionsOf(eb, sources[s]);
    for (const auto& p : e.source_positions[s]) {
      const SearchEndpoint src = asSource(eb, p);
      if (!e.on_segment.count(p.segment)) {
        e.source_seeds[s].push_back(src);
        continue;
      }
      for (uint32_t i = eb.turn_first[p.segment]; i < eb.turn_first[p.segment + 1]; ++i)
        if (eb.turn_weight[i] != kNotAllowed)  // closed by a metric
          e.source_seeds[s].push_back({eb.turn_head[i], src.offset_ms + eb.turn_weight[i], src.offset_cm + eb.segment_length_cm[p.segment]});
    }
  }
  return e;
}

void MatrixEndpoints::directSameSegment(const EdgeBasedView& eb, uint32_t s, uint32_t begin, uint32_t count, int64_t* ms, int64_t* cm) const {
  for (const auto& p : source_positions[s]) {
    auto it = on_segment.find(p.segment);
    if (it == on_segment.end()) continue;
    for (const auto& q : it->second) {
      if (q.target < begin || q.target >= begin + count || q.fraction < p.fraction) continue;
      const SegmentPosition qp{p.segment, q.fraction};
      const int64_t d = partialMs(eb, qp) - partialMs(eb, p);
      if (d < ms[q.target - begin]) {
        ms[q.target - begin] = d;
        cm[q.target - begin] = partialCm(eb, qp) - partialCm(eb, p);
      }
    }
  }
}

}  // namespace waymark
