#include "route/leg.h"

#include <limits>

namespace waymark {

LegPath shortestLeg(const LoadedMap& map, CHQuery& query, const SnapResult& from, const SnapResult& to, bool want_path) {
  const EdgeBasedView& eb = map.eb;
  const std::vector<SegmentPosition> P = positionsOf(eb, from), Q = targetPositionsOf(eb, to);
  LegPath leg;
  // Same segment, target ahead of the source: drive straight there.
  int64_t direct = std::numeric_limits<int64_t>::max();
  const SegmentPosition* direct_from = nullptr;
  const SegmentPosition* direct_to = nullptr;
  for (const auto& p : P)
    for (const auto& q : Q)
      if (p.segment == q.segment && p.fraction <= q.fraction && partialMs(eb, q) - partialMs(eb, p) < direct) {
        direct = partialMs(eb, q) - partialMs(eb, p);
        direct_from = &p;
        direct_to = &q;
      }

  // A source on a target's segment must leave it before it can come back: seed its successors.
  struct Seed {
    SearchEndpoint endpoint;
    const SegmentPosition* origin;
    bool expanded;
  };
  std::vector<Seed> seeds;
  for (const auto& p : P) {
    bool shared = false;
    for (const auto& q : Q) shared = shared || q.segment == p.segment;
    const SearchEndpoint src = asSource(eb, p);
    if (!shared) {
      seeds.push_back({src, &p, false});
      continue;
    }
    for (uint32_t i = eb.turn_first[p.segment]; i < eb.turn_first[p.segment + 1]; ++i)
      if (eb.turn_weight[i] != kNotAllowed)  // closed by a metric
        seeds.push_back({{eb.turn_head[i], src.offset_ms + eb.turn_weight[i], src.offset_cm + eb.segment_length_cm[p.segment]}, &p, true});
  }
  std::vector<SearchEndpoint> sources, targets;
  for (const auto& s : seeds) sources.push_back(s.endpoint);
  for (const auto& q : Q) targets.push_back(asTarget(eb, q));

  const CHResult r = query.run(map.ch, sources, targets, direct);
  leg.settled = query.settled();
  if (r.found) {
    leg.found = true;
    leg.duration_ms = r.duration_ms;
    leg.distance_cm = r.distance_cm;
    if (want_path) {
      leg.segments = query.path(map.ch);
      // Which seed did the path start from: the one on its first node with the lowest offset.
      const Seed* origin = nullptr;
      for (const auto& s : seeds)
        if (s.endpoint.node == leg.segments.front() && (!origin || s.endpoint.offset_ms < origin->endpoint.offset_ms)) origin = &s;
      if (origin->expanded) leg.segments.insert(leg.segments.begin(), origin->origin->segment);
      leg.start_fraction = origin->origin->fraction;
      for (const auto& q : Q)
        if (q.segment == leg.segments.back()) leg.end_fraction = q.fraction;
    }
  } else if (direct_from) {
    leg.found = true;
    leg.duration_ms = direct;
    leg.distance_cm = partialCm(eb, *direct_to) - partialCm(eb, *direct_from);
    leg.segments = {direct_from->segment};
    leg.start_fraction = direct_from->fraction;
    leg.end_fraction = direct_to->fraction;
  }
  return leg;
}

}  // namespace waymark
