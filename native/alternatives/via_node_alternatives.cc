#include "alternatives/via_node_alternatives.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "common/error.h"
#include "route/endpoints.h"

namespace waymark {

namespace {

// Arc weight of the turn a -> b (the cost of a plus the turn), or -1 if there is none.
int64_t turnWeight(const EdgeBasedView& eb, uint32_t a, uint32_t b) {
  for (uint32_t t = eb.turn_first[a]; t < eb.turn_first[a + 1]; ++t)
    if (eb.turn_head[t] == b && eb.turn_weight[t] != kNotAllowed) return eb.turn_weight[t];
  return -1;
}

// Duration shared with `other` (by original segment, so via-way copies count as their road).
int64_t sharedMs(const EdgeBasedView& eb, const std::vector<uint32_t>& path, const std::unordered_set<uint32_t>& other) {
  int64_t shared = 0;
  for (uint32_t s : path)
    if (other.count(eb.original(s))) shared += eb.segment_duration[s];
  return shared;
}

std::unordered_set<uint32_t> originalsOf(const EdgeBasedView& eb, const std::vector<uint32_t>& path) {
  std::unordered_set<uint32_t> out;
  for (uint32_t s : path) out.insert(eb.original(s));
  return out;
}

int64_t totalMs(const EdgeBasedView& eb, const std::vector<uint32_t>& path) {
  int64_t t = 0;
  for (uint32_t s : path) t += eb.segment_duration[s];
  return t;
}

}  // namespace

std::vector<LegPath> alternativeLegs(const LoadedMap& map, CHQuery& query, const SnapResult& from, const SnapResult& to, const LegPath& best,
                                     uint32_t count, const AlternativeOptions& options) {
  std::vector<LegPath> out;
  if (!best.found || count == 0 || best.segments.size() < 2) return out;
  const EdgeBasedView& eb = map.eb;
  const std::vector<SegmentPosition> P = positionsOf(eb, from), Q = targetPositionsOf(eb, to);
  for (const auto& p : P)
    for (const auto& q : Q)
      if (p.segment == q.segment) return out;
  std::vector<SearchEndpoint> sources, targets;
  for (const auto& p : P) sources.push_back(asSource(eb, p));
  for (const auto& q : Q) targets.push_back(asTarget(eb, q));

  const int64_t limit = static_cast<int64_t>(std::floor(best.duration_ms * (1.0 + options.max_stretch)));
  const auto meetings = query.explore(map.ch, sources, targets, limit);

  // Unpack the distinct via paths first: the T-test queries below reuse the search space.
  struct Candidate {
    LegPath leg;
    size_t via;  // index of the via node in the path
  };
  std::vector<Candidate> candidates;
  std::unordered_set<uint64_t> seen;
  for (const auto& m : meetings) {
    if (candidates.size() >= options.max_candidates) break;
    std::vector<uint32_t> path = query.pathVia(map.ch, m.node);
    if (path.size() < 2) continue;
    uint64_t h = path.size();
    for (uint32_t s : path) h = h * 1000003u ^ s;
    if (!seen.insert(h).second) continue;
    const uint32_t via_segment = map.ch.input_node[m.node];
    const auto via = std::find(path.begin(), path.end(), via_segment);
    Candidate c;
    c.via = size_t(via - path.begin());
    c.leg.found = true;
    c.leg.duration_ms = m.duration_ms;
    c.leg.distance_cm = m.distance_cm;
    for (const auto& p : P)
      if (p.segment == path.front()) c.leg.start_fraction = p.fraction;
    for (const auto& q : Q)
      if (q.segment == path.back()) c.leg.end_fraction = q.fraction;
    c.leg.segments = std::move(path);
    candidates.push_back(std::move(c));
  }

  const int64_t best_total = std::max<int64_t>(1, totalMs(eb, best.segments));
  std::vector<std::unordered_set<uint32_t>> taken{originalsOf(eb, best.segments)};
  for (auto& c : candidates) {
    if (out.size() >= count) break;
    const auto& path = c.leg.segments;
    // No loops.
    const auto originals = originalsOf(eb, path);
    if (originals.size() != path.size()) continue;
    // Limited sharing with the best route and every accepted alternative.
    bool shares = false;
    for (const auto& t : taken) shares = shares || sharedMs(eb, path, t) > options.max_sharing * best_total;
    if (shares) continue;
    // T-test: the stretch of local_optimality * best around the via node must be a shortest path.
    std::vector<int64_t> at(path.size(), 0);  // cost from the start of path[0] to the start of path[i]
    bool broken = false;
    for (size_t i = 1; i < path.size(); ++i) {
      const int64_t w = turnWeight(eb, path[i - 1], path[i]);
      if (w < 0) broken = true;
      at[i] = at[i - 1] + std::max<int64_t>(w, 0);
    }
    if (broken) continue;
    const double half = options.local_optimality * best.duration_ms / 2;
    size_t a = c.via, b = c.via;
    while (a > 0 && at[c.via] - at[a] < half) --a;
    while (b + 1 < path.size() && at[b] - at[c.via] < half) ++b;
    if (a < b) {
      const SearchEndpoint s{path[a], 0, 0}, t{path[b], 0, 0};
      const CHResult r = query.run(map.ch, std::span(&s, 1), std::span(&t, 1));
      if (!r.found || r.duration_ms < at[b] - at[a]) continue;
    }
    taken.push_back(originals);
    out.push_back(std::move(c.leg));
  }
  return out;
}

}  // namespace waymark

namespace waymark {

std::vector<RouteResult> routeWithAlternatives(const LoadedMap& map, const SnapResult& from, const SnapResult& to, bool with_geometry,
                                               uint32_t count, const AlternativeOptions& options, bool with_osm_nodes) {
  auto query = map.queries.acquire();
  const LegPath best = shortestLeg(map, *query, from, to, true);
  if (!best.found) throw Error("NoRoute", "no route from waypoint 0 to waypoint 1");
  std::vector<RouteResult> out(1);
  out[0].settled = best.settled;
  appendLeg(map, best, with_geometry, out[0], with_osm_nodes);
  for (const LegPath& alt : alternativeLegs(map, *query, from, to, best, count, options)) {
    RouteResult r;
    appendLeg(map, alt, with_geometry, r, with_osm_nodes);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace waymark
