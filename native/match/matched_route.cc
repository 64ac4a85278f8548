#include "match/matched_route.h"

#include <cmath>

#include "common/error.h"
#include "common/geo.h"
#include "route/route.h"

namespace waymark {

namespace {

// The fastest path from p to q as directed segments, mirroring TransitionRouter's rules (direct
// along one segment, a small backward jitter is no movement, otherwise leave p's segment first).
MatchedLeg legBetween(const LoadedMap& map, CHQuery& query, const SegmentPosition& p, const SegmentPosition& q,
                      double& start_fraction, double& end_fraction, int64_t tolerance_cm) {
  const EdgeBasedView& eb = map.eb;
  MatchedLeg leg;
  start_fraction = p.fraction;
  end_fraction = q.fraction;
  if (p.segment == q.segment) {
    const SegmentPosition qp{p.segment, q.fraction};
    const int64_t ahead_cm = partialCm(eb, qp) - partialCm(eb, p);
    if (q.fraction >= p.fraction) {
      leg.duration_ms = partialMs(eb, qp) - partialMs(eb, p);
      leg.distance_cm = ahead_cm;
      leg.segments = {p.segment};
      return leg;
    }
    if (-ahead_cm <= tolerance_cm) {
      end_fraction = p.fraction;
      return leg;  // standing still: no movement
    }
  }
  const SearchEndpoint src = asSource(eb, p);
  std::vector<SearchEndpoint> sources;
  const bool expanded = p.segment == q.segment;
  if (!expanded) {
    sources.push_back(src);
  } else {
    for (uint32_t i = eb.turn_first[p.segment]; i < eb.turn_first[p.segment + 1]; ++i)
      if (eb.turn_weight[i] != kNotAllowed)  // closed by a metric
        sources.push_back({eb.turn_head[i], src.offset_ms + eb.turn_weight[i], src.offset_cm + eb.segment_length_cm[p.segment]});
  }
  std::vector<SearchEndpoint> targets{asTarget(eb, q)};
  const auto [lo, hi] = eb.copiesOf(q.segment);
  for (size_t k = lo; k < hi; ++k) targets.push_back({eb.copy_index_segment[k], targets[0].offset_ms, targets[0].offset_cm});
  const CHResult r = query.run(map.ch, sources, targets);
  if (!r.found) throw Error("Internal", "a matched transition has no path");
  leg.duration_ms = r.duration_ms;
  leg.distance_cm = r.distance_cm;
  leg.segments = query.path(map.ch);
  if (expanded) leg.segments.insert(leg.segments.begin(), p.segment);
  return leg;
}

uint32_t turnWeight(const EdgeBasedView& eb, uint32_t from, uint32_t to) {
  for (uint32_t i = eb.turn_first[from]; i < eb.turn_first[from + 1]; ++i)
    if (eb.turn_head[i] == to && eb.turn_weight[i] != kNotAllowed) return eb.turn_weight[i];
  return 0;
}

}  // namespace

MatchedRoute routeOfMatching(const LoadedMap& map, const MatchInput& input, const HmmResult& hmm, uint32_t matching,
                             const MatchOptions& options, bool with_geometry, bool with_osm_nodes) {
  const EdgeBasedView& eb = map.eb;
  const Matching& m = hmm.matchings.at(matching);
  MatchedRoute route;
  auto query = map.queries.acquire();
  std::vector<double> seg_coords;
  for (size_t k = 0; k + 1 < m.points.size(); ++k) {
    const uint32_t a = m.points[k], b = m.points[k + 1];
    const MatchedPoint& pa = hmm.points[a];
    const MatchedPoint& pb = hmm.points[b];
    route.trace_m += haversineMeters(input.coords[2 * a], input.coords[2 * a + 1], input.coords[2 * b], input.coords[2 * b + 1]);
    double f_start = 0, f_end = 0;
    // After a U-turn at a the leg starts the other way, with no backward jitter allowance (as routed).
    const int64_t tolerance_cm = pa.departs_reversed ? 0 : std::llround(backwardToleranceM(input, options, a, b) * 100);
    MatchedLeg leg = legBetween(map, *query, departurePosition(map.eb, pa), pb.position, f_start, f_end, tolerance_cm);
    leg.start_fraction = f_start;
    leg.end_fraction = f_end;
    leg.geometry_begin = static_cast<uint32_t>(route.coordinates.size() / 2);
    if (leg.geometry_begin > 0) --leg.geometry_begin;  // legs share their joining point
    if (leg.segments.empty() && with_geometry) {
      // No movement: the leg is the matched point itself.
      if (route.coordinates.empty()) {
        route.coordinates.push_back(pa.snap.lon);
        route.coordinates.push_back(pa.snap.lat);
      }
    }
    uint32_t last_name = 0xFFFFFFFFu;
    for (size_t i = 0; i < leg.segments.size(); ++i) {
      const uint32_t s = leg.segments[i];
      const uint32_t ed = eb.segment_edge_dir[s];
      const uint32_t edge = ed >> 1, dir = ed & 1;
      const double f0 = i == 0 ? f_start : 0.0;
      const double f1 = i + 1 == leg.segments.size() ? f_end : 1.0;
      const uint32_t name = map.road.edge_name[edge];
      if (name != 0 && name != last_name) leg.names.emplace_back(map.road.name(name));
      if (name != 0) last_name = name;
      if (!with_geometry) continue;
      // Seconds of this piece (turn into it included), spread over its coordinate pairs by length.
      const double piece_s = ((f1 - f0) * eb.segment_duration[s] + (i > 0 ? turnWeight(eb, leg.segments[i - 1], s) : 0)) / 1000.0;
      const size_t before = route.coordinates.size() / 2;
      appendEdgeGeometry(map.road, edge, dir, f0, f1, route.coordinates, with_osm_nodes ? &leg.osm_nodes : nullptr, i == 0 && !route.coordinates.empty());
      const size_t after = route.coordinates.size() / 2;
      const size_t first_pair = std::max<size_t>(before, 1);  // pair (j - 1, j) for each new point j
      double piece_m = 0;
      const size_t pairs_before = leg.pair_distance_m.size();
      for (size_t j = first_pair; j < after; ++j) {
        const double d = haversineMeters(route.coordinates[2 * j - 2], route.coordinates[2 * j - 1], route.coordinates[2 * j], route.coordinates[2 * j + 1]);
        leg.pair_distance_m.push_back(d);
        piece_m += d;
      }
      const size_t added = leg.pair_distance_m.size() - pairs_before;
      for (size_t j = pairs_before; j < leg.pair_distance_m.size(); ++j)
        leg.pair_duration_s.push_back(piece_m > 0 ? piece_s * leg.pair_distance_m[j] / piece_m : piece_s / double(added));
    }
    leg.geometry_end = static_cast<uint32_t>(route.coordinates.size() / 2);
    route.duration_s += leg.duration_ms / 1000.0;
    route.distance_m += leg.distance_cm / 100.0;
    route.legs.push_back(std::move(leg));
  }
  return route;
}

}  // namespace waymark
