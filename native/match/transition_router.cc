#include "match/transition_router.h"

#include <algorithm>

namespace waymark {

void TransitionRouter::run(const LoadedMap& map, std::span<const SegmentPosition> sources, std::span<const SegmentPosition> targets,
                           int64_t bound_ms, std::span<const int64_t> backward_tolerance_cm, TransitionCosts& out) {
  const EdgeBasedView& eb = map.eb;
  const uint32_t S = static_cast<uint32_t>(sources.size()), T = static_cast<uint32_t>(targets.size());
  out.sources = S;
  out.targets = T;
  out.ms.assign(size_t(S) * T, kNoTransition);
  out.cm.assign(size_t(S) * T, 0);
  auto improve = [&](uint32_t s, uint32_t t, int64_t ms, int64_t cm) {
    const size_t i = size_t(s) * T + t;
    if (ms < out.ms[i]) {
      out.ms[i] = ms;
      out.cm[i] = cm;
    }
  };

  // A source partway along its segment starts with a negative label (minus the part behind it), so
  // at the meeting node the backward label may exceed the path's cost by up to that much.
  int64_t backward_bound = bound_ms;
  for (const SegmentPosition& p : sources)
    if (p.segment != kNoSegment) backward_bound = std::max(backward_bound, bound_ms + partialMs(eb, p));
  bucket_.clear();
  std::vector<SearchEndpoint> target_seeds;
  for (uint32_t t = 0; t < T; ++t) {
    // The target's segment, and its copies on via-way restriction paths (reached from their from way).
    target_seeds.assign(1, asTarget(eb, targets[t]));
    const auto [lo, hi] = eb.copiesOf(targets[t].segment);
    for (size_t k = lo; k < hi; ++k) target_seeds.push_back({eb.copy_index_segment[k], target_seeds[0].offset_ms, target_seeds[0].offset_cm});
    search_.run(map.ch, false, target_seeds, backward_bound,
                [&](uint32_t node, int64_t ms, int64_t cm) { bucket_.push_back({node, t, ms, cm}); });
  }
  std::sort(bucket_.begin(), bucket_.end(), [](const BucketEntry& a, const BucketEntry& b) { return a.node < b.node; });

  for (uint32_t s = 0; s < S; ++s) {
    const SegmentPosition& p = sources[s];
    if (p.segment == kNoSegment) continue;
    bool shares_segment = false;
    for (uint32_t t = 0; t < T; ++t) {
      const SegmentPosition& q = targets[t];
      if (q.segment != p.segment) continue;
      shares_segment = true;
      const SegmentPosition qp{p.segment, q.fraction};
      const int64_t ahead_cm = partialCm(eb, qp) - partialCm(eb, p);
      if (q.fraction >= p.fraction) {
        improve(s, t, partialMs(eb, qp) - partialMs(eb, p), ahead_cm);
      } else if (-ahead_cm <= backward_tolerance_cm[s]) {
        improve(s, t, 0, 0);
      }
    }
    // A source on a target's segment must leave it before coming back (the direct case is above).
    const SearchEndpoint src = asSource(eb, p);
    seeds_.clear();
    if (!shares_segment) {
      seeds_.push_back(src);
    } else {
      for (uint32_t i = eb.turn_first[p.segment]; i < eb.turn_first[p.segment + 1]; ++i)
        if (eb.turn_weight[i] != kNotAllowed)  // closed by a metric
          seeds_.push_back({eb.turn_head[i], src.offset_ms + eb.turn_weight[i], src.offset_cm + eb.segment_length_cm[p.segment]});
    }
    search_.run(map.ch, true, seeds_, bound_ms, [&](uint32_t node, int64_t ms, int64_t cm) {
      auto it = std::lower_bound(bucket_.begin(), bucket_.end(), node, [](const BucketEntry& e, uint32_t n) { return e.node < n; });
      for (; it != bucket_.end() && it->node == node; ++it) {
        const int64_t total = ms + it->ms;
        if (total >= 0 && total <= bound_ms) improve(s, it->target, total, cm + it->cm);
      }
    });
  }
}

}  // namespace waymark
