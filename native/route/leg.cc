#include "route/leg.h"

#include <limits>

namespace waymark {

LegPath shortestLeg(const LoadedMap& map, CHQuery& query, const SnapResult& from, const SnapResult& to, bool want_path) {
  const EdgeBasedView& eb = map.eb;
  const uint32_t* const query_node = map.ch.queryLayout().query_node.data();
  // Everything about the two endpoints that is read below, asked for at once: these are cold
  // look-ups (a query's fixed cost), and one after another they were a chain of cache misses.
  for (const SnapResult* p : {&from, &to})
    for (uint32_t dir = 0; dir < 2; ++dir)
      if (const uint32_t s = eb.segment(p->edge, dir); s != kNoSegment) {
        __builtin_prefetch(eb.segment_flags.data() + s);
        __builtin_prefetch(eb.segment_duration.data() + s);
        __builtin_prefetch(eb.segment_length_cm.data() + s);
        __builtin_prefetch(query_node + s);
      }
  // Scratch kept per thread: a query is short enough that its handful of small vectors (grown
  // push by push) were a noticeable part of its fixed cost.
  thread_local std::vector<SegmentPosition> P, Q;
  P.clear();
  Q.clear();
  appendPositions(eb, from, P);
  appendTargetPositions(eb, to, Q);
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
  thread_local std::vector<Seed> seeds;
  seeds.clear();
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
  thread_local std::vector<SearchEndpoint> sources, targets;
  sources.clear();
  targets.clear();
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
