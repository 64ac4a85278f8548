#include "match/transition_oracle.h"

#include <functional>
#include <limits>
#include <queue>

namespace waymark {

std::vector<int64_t> transitionOracle(const EdgeBasedView& eb, const SegmentPosition& p, std::span<const SegmentPosition> targets,
                                      int64_t backward_tolerance_cm) {
  constexpr int64_t kInf = std::numeric_limits<int64_t>::max();
  std::vector<int64_t> dist(eb.segmentCount(), kInf);
  using Entry = std::pair<int64_t, uint32_t>;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> heap;
  const SearchEndpoint src = asSource(eb, p);
  for (uint32_t i = eb.turn_first[p.segment]; i < eb.turn_first[p.segment + 1]; ++i) {
    if (eb.turn_weight[i] == kNotAllowed) continue;  // closed by a metric
    const int64_t d = src.offset_ms + eb.turn_weight[i];
    if (d < dist[eb.turn_head[i]]) {
      dist[eb.turn_head[i]] = d;
      heap.push({d, eb.turn_head[i]});
    }
  }
  while (!heap.empty()) {
    const auto [d, s] = heap.top();
    heap.pop();
    if (d != dist[s]) continue;
    for (uint32_t i = eb.turn_first[s]; i < eb.turn_first[s + 1]; ++i) {
      if (eb.turn_weight[i] == kNotAllowed) continue;
      const int64_t nd = d + eb.turn_weight[i];
      if (nd < dist[eb.turn_head[i]]) {
        dist[eb.turn_head[i]] = nd;
        heap.push({nd, eb.turn_head[i]});
      }
    }
  }
  std::vector<int64_t> out;
  for (const SegmentPosition& q : targets) {
    int64_t best = dist[q.segment] == kInf ? kInf : dist[q.segment] + partialMs(eb, q);
    const auto [lo, hi] = eb.copiesOf(q.segment);  // via-way restriction copies end there too
    for (size_t k = lo; k < hi; ++k)
      if (dist[eb.copy_index_segment[k]] != kInf) best = std::min(best, dist[eb.copy_index_segment[k]] + partialMs(eb, q));
    if (q.segment == p.segment) {
      const SegmentPosition qp{p.segment, q.fraction};
      if (q.fraction >= p.fraction) {
        best = std::min(best, partialMs(eb, qp) - partialMs(eb, p));
      } else if (partialCm(eb, p) - partialCm(eb, qp) <= backward_tolerance_cm) {
        best = 0;
      }
    }
    out.push_back(best);
  }
  return out;
}

}  // namespace waymark
