#include "phast/one_to_all.h"

#include <algorithm>

namespace waymark {

void runFromPoint(const LoadedMap& map, Phast& phast, PhastDirection direction, const SnapResult& center) {
  const EdgeBasedView& eb = map.eb;
  std::vector<SearchEndpoint> seeds;
  // Reverse: the center is a target, which a route may also reach on a via-way restriction's copy.
  const bool reverse = direction == PhastDirection::kReverse;
  for (const SegmentPosition& p : reverse ? targetPositionsOf(eb, center) : positionsOf(eb, center)) {
    if (direction == PhastDirection::kReverse) {
      // From the start of p's segment to the point: the part up to it.
      seeds.push_back(asTarget(eb, p));
      continue;
    }
    const SearchEndpoint src = asSource(eb, p);
    for (uint32_t i = eb.turn_first[p.segment]; i < eb.turn_first[p.segment + 1]; ++i)
      if (eb.turn_weight[i] != kNotAllowed)  // closed by a metric
        seeds.push_back({eb.turn_head[i], src.offset_ms + eb.turn_weight[i], src.offset_cm + eb.segment_length_cm[p.segment]});
  }
  phast.run(map.ch, direction, seeds);
}

namespace {

// Reverse: the cost from the start of segment s to the center, having left s (the best successor).
PointCost leavingCost(const LoadedMap& map, const Phast& phast, uint32_t s) {
  const EdgeBasedView& eb = map.eb;
  PointCost best;
  for (uint32_t i = eb.turn_first[s]; i < eb.turn_first[s + 1]; ++i) {
    const int64_t head_ms = phast.ms(map.ch, eb.turn_head[i]);
    if (head_ms == kPhastUnreached || eb.turn_weight[i] == kNotAllowed) continue;
    const int64_t ms = head_ms + eb.turn_weight[i];
    if (ms < best.ms) best = {ms, phast.cm(map.ch, eb.turn_head[i]) + eb.segment_length_cm[s]};
  }
  return best;
}

}  // namespace

PointCost costWith(const LoadedMap& map, const Phast& phast, PhastDirection direction, const SnapResult& center, const SnapResult& other) {
  const EdgeBasedView& eb = map.eb;
  const bool forward = direction == PhastDirection::kForward;
  // The other point is a target going forward: copies of its segments count too.
  const std::vector<SegmentPosition> C = positionsOf(eb, center), O = forward ? targetPositionsOf(eb, other) : positionsOf(eb, other);
  PointCost best;
  auto offer = [&](int64_t ms, int64_t cm) {
    if (ms < best.ms) best = {ms, cm};
  };
  for (const SegmentPosition& o : O) {
    if (forward) {
      const int64_t ms = phast.ms(map.ch, o.segment);
      if (ms != kPhastUnreached) offer(ms + partialMs(eb, o), phast.cm(map.ch, o.segment) + partialCm(eb, o));
    } else {
      const PointCost leave = leavingCost(map, phast, o.segment);
      if (leave.ms != kPhastUnreached) offer(leave.ms - partialMs(eb, o), leave.cm - partialCm(eb, o));
    }
    // Both on one segment, the destination ahead: straight there.
    for (const SegmentPosition& c : C) {
      const SegmentPosition& from = forward ? c : o;
      const SegmentPosition& to = forward ? o : c;
      if (c.segment == o.segment && from.fraction <= to.fraction)
        offer(partialMs(eb, to) - partialMs(eb, from), partialCm(eb, to) - partialCm(eb, from));
    }
  }
  return best;
}

std::vector<ReachedPiece> reachedPieces(const LoadedMap& map, const Phast& phast, PhastDirection direction, const SnapResult& center,
                                        LimitMetric metric, int64_t limit) {
  const EdgeBasedView& eb = map.eb;
  const bool by_time = metric == LimitMetric::kDuration;
  auto length = [&](uint32_t s) { return double(by_time ? eb.segment_duration[s] : eb.segment_length_cm[s]); };
  // How far along a segment a budget takes you, as a fraction (a zero-cost segment is all or nothing).
  auto reach = [&](uint32_t s, double budget) {
    const double len = length(s);
    return len > 0 ? std::min(1.0, budget / len) : 1.0;
  };
  std::vector<ReachedPiece> out;
  const uint32_t n = eb.segmentCount();
  const double L = double(limit);
  if (direction == PhastDirection::kForward) {
    for (uint32_t s = 0; s < n; ++s) {
      const int64_t ms = phast.ms(map.ch, s);
      if (ms == kPhastUnreached) continue;
      const double start = double(by_time ? ms : phast.cm(map.ch, s));
      if (start <= L) {
        const double to = reach(s, L - start);
        if (to > 0) out.push_back({s, 0.0, to, start, start + to * length(s)});
      }
    }
    for (const SegmentPosition& p : positionsOf(eb, center)) {
      const double to = std::min(1.0, p.fraction + reach(p.segment, L));
      if (to > p.fraction) out.push_back({p.segment, p.fraction, to, 0.0, (to - p.fraction) * length(p.segment)});
    }
  } else {
    // Only original segments: a journey starts on a road, never on a via-way restriction's copy.
    for (uint32_t s = 0; s < eb.originalCount(); ++s) {
      const PointCost leave = leavingCost(map, phast, s);
      if (leave.ms == kPhastUnreached) continue;
      // From fraction f the cost is leave - f * length: within the limit from f >= (leave - L) / length.
      const double g = double(by_time ? leave.ms : leave.cm);
      const double len = length(s);
      const double from = g <= L ? 0.0 : len > 0 ? (g - L) / len : 1.0;
      if (from < 1.0) out.push_back({s, from, 1.0, g - from * len, g - len});
    }
    for (const SegmentPosition& p : positionsOf(eb, center)) {
      const double from = std::max(0.0, p.fraction - reach(p.segment, L));
      if (from < p.fraction) out.push_back({p.segment, from, p.fraction, (p.fraction - from) * length(p.segment), 0.0});
    }
  }
  return out;
}

}  // namespace waymark
