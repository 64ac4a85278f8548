#include "route/reference_dijkstra.h"

#include <limits>
#include <queue>

#include "route/endpoints.h"

namespace waymark {

namespace {
constexpr int64_t kUnreached = std::numeric_limits<int64_t>::max();
}

ReferenceDijkstra::ReferenceDijkstra(uint32_t n) : dist_(n, kUnreached), cm_(n, 0) {}

void ReferenceDijkstra::run(const EdgeBasedView& eb, const SnapResult& from) {
  std::fill(dist_.begin(), dist_.end(), kUnreached);
  from_ = from;
  settled_ = 0;
  using Entry = std::pair<int64_t, uint32_t>;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> heap;
  for (const SegmentPosition& p : positionsOf(eb, from)) {
    const SearchEndpoint src = asSource(eb, p);
    for (uint32_t i = eb.turn_first[p.segment]; i < eb.turn_first[p.segment + 1]; ++i) {
      if (eb.turn_weight[i] == kNotAllowed) continue;  // closed by a metric
      const uint32_t s2 = eb.turn_head[i];
      const int64_t d = src.offset_ms + eb.turn_weight[i];
      if (d < dist_[s2]) {
        dist_[s2] = d;
        cm_[s2] = src.offset_cm + eb.segment_length_cm[p.segment];
        heap.push({d, s2});
      }
    }
  }
  while (!heap.empty()) {
    const auto [d, s] = heap.top();
    heap.pop();
    if (d != dist_[s]) continue;
    ++settled_;
    for (uint32_t i = eb.turn_first[s]; i < eb.turn_first[s + 1]; ++i) {
      if (eb.turn_weight[i] == kNotAllowed) continue;
      const uint32_t s2 = eb.turn_head[i];
      const int64_t nd = d + eb.turn_weight[i];
      if (nd < dist_[s2]) {
        dist_[s2] = nd;
        cm_[s2] = cm_[s] + eb.segment_length_cm[s];
        heap.push({nd, s2});
      }
    }
  }
}

std::optional<std::pair<int64_t, int64_t>> ReferenceDijkstra::costTo(const EdgeBasedView& eb, const SnapResult& to) const {
  std::optional<std::pair<int64_t, int64_t>> best;
  auto offer = [&](int64_t ms, int64_t cm) {
    if (!best || ms < best->first) best = {ms, cm};
  };
  const auto sources = positionsOf(eb, from_);
  for (const SegmentPosition& q : targetPositionsOf(eb, to)) {
    if (dist_[q.segment] != kUnreached) offer(dist_[q.segment] + partialMs(eb, q), cm_[q.segment] + partialCm(eb, q));
    for (const SegmentPosition& p : sources)
      if (p.segment == q.segment && p.fraction <= q.fraction)
        offer(partialMs(eb, q) - partialMs(eb, p), partialCm(eb, q) - partialCm(eb, p));
  }
  return best;
}

}  // namespace waymark
