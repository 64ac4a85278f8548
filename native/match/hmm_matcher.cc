#include "match/hmm_matcher.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include "common/error.h"
#include "common/geo.h"
#include "match/candidates.h"
#include "match/transition_oracle.h"
#include "match/transition_router.h"

namespace waymark {

namespace {

constexpr double kImpossible = -std::numeric_limits<double>::infinity();

struct State {
  SnapResult snap;
  SegmentPosition position;
  double emission;  // log probability
};

struct Layer {
  uint32_t point;
  std::vector<State> states;
  std::vector<double> score;    // Viterbi log probability
  std::vector<int32_t> back;    // best predecessor in the previous layer, -1 at the start
};

// A speed well below most roads' (5th percentile of a sample of segments), to turn the detour bound
// (a distance) into the duration bound of the searches: a path within the detour bound that is
// slower than this on average over its whole length is not found.
double slowSpeedCmPerMs(const EdgeBasedView& eb) {
  const uint32_t n = eb.segmentCount();
  const uint32_t stride = std::max<uint32_t>(1, n / 4096);
  std::vector<double> speeds;
  for (uint32_t s = 0; s < n; s += stride)
    if (eb.segment_duration[s] > 0 && eb.segment_length_cm[s] > 0) speeds.push_back(double(eb.segment_length_cm[s]) / eb.segment_duration[s]);
  if (speeds.empty()) return 0.1;  // 1 m/s
  auto nth = speeds.begin() + speeds.size() / 20;
  std::nth_element(speeds.begin(), nth, speeds.end());
  return std::max(0.05, *nth);  // at least 0.5 m/s
}

// The same point of the road travelled the other way (kNoSegment where that direction is closed).
SegmentPosition reversed(const EdgeBasedView& eb, const State& s) {
  const uint32_t ed = eb.segment_edge_dir[s.position.segment];
  const uint32_t other = eb.segment(ed >> 1, 1 - (ed & 1));
  if (!eb.snappable(other)) return {kNoSegment, 0};
  return {other, 1.0 - s.position.fraction};
}

}  // namespace

SegmentPosition departurePosition(const EdgeBasedView& eb, const MatchedPoint& p) {
  if (!p.departs_reversed) return p.position;
  State s{p.snap, p.position, 0};
  return reversed(eb, s);
}

double backwardToleranceM(const MatchInput& in, const MatchOptions& opt, size_t a, size_t b) {
  const double sa = in.sigmas.empty() ? opt.default_sigma_m : in.sigmas[a];
  const double sb = in.sigmas.empty() ? opt.default_sigma_m : in.sigmas[b];
  return 2 * std::max(sa, sb);
}

HmmResult matchTrace(const LoadedMap& map, const MatchInput& in, const MatchOptions& opt) {
  const size_t n = in.coords.size() / 2;
  if (!in.sigmas.empty() && in.sigmas.size() != n) throw Error("InvalidValue", "radiuses must have one value per coordinate");
  if (!in.timestamps.empty() && in.timestamps.size() != n) throw Error("InvalidValue", "timestamps must have one value per coordinate");
  for (size_t i = 0; i < n; ++i) {
    const double lon = in.coords[2 * i], lat = in.coords[2 * i + 1];
    if (!std::isfinite(lon) || !std::isfinite(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90)
      throw Error("InvalidValue", "coordinate " + std::to_string(i) + " is not a valid lon, lat");
    if (!in.sigmas.empty() && !(in.sigmas[i] > 0 && std::isfinite(in.sigmas[i])))
      throw Error("InvalidValue", "radius of coordinate " + std::to_string(i) + " must be a positive number");
    if (!in.timestamps.empty() && (!std::isfinite(in.timestamps[i]) || (i > 0 && in.timestamps[i] < in.timestamps[i - 1])))
      throw Error("InvalidValue", "timestamps must be finite and non-decreasing (coordinate " + std::to_string(i) + ")");
  }

  HmmResult result;
  result.points.resize(n);
  const EdgeBasedView& eb = map.eb;
  const double slow_cm_per_ms = slowSpeedCmPerMs(eb);
  // The router's labels are sized to the graph: kept per thread and reused while the size fits.
  thread_local std::unique_ptr<TransitionRouter> router_scratch;
  thread_local uint32_t router_nodes = 0;
  if (!router_scratch || router_nodes != map.ch.nodeCount()) {
    router_scratch = std::make_unique<TransitionRouter>(map.ch.nodeCount());
    router_nodes = map.ch.nodeCount();
  }
  TransitionRouter& router = *router_scratch;
  const uint64_t settled_before = router.settled();
  TransitionCosts costs;
  std::vector<SegmentPosition> from_pos, to_pos;
  std::vector<int64_t> tolerances;
  std::vector<Layer> layers;  // of the matching being built

  auto sigmaOf = [&](size_t i) { return in.sigmas.empty() ? opt.default_sigma_m : in.sigmas[i]; };
  auto radiusOf = [&](size_t i) { return std::max(opt.min_search_radius_m, opt.search_radius_factor * sigmaOf(i)); };

  // Backtracks the layers into a matching (two points at least; a lone point is dropped).
  auto finish = [&]() {
    if (layers.size() >= 2) {
      Matching m;
      const Layer& last = layers.back();
      int32_t best = 0;
      for (uint32_t j = 1; j < last.score.size(); ++j)
        if (last.score[j] > last.score[best]) best = static_cast<int32_t>(j);
      m.log_probability = last.score[best];
      const int32_t index = static_cast<int32_t>(result.matchings.size());
      bool uturn_after = false;  // the point after this one was reached by a U-turn at this one
      for (size_t k = layers.size(); k-- > 0;) {
        const Layer& l = layers[k];
        MatchedPoint& p = result.points[l.point];
        p.matching = index;
        p.index_in_matching = static_cast<uint32_t>(k);
        p.snap = l.states[best].snap;
        p.position = l.states[best].position;
        p.departs_reversed = uturn_after;
        std::vector<uint32_t> edges;
        for (size_t j = 0; j < l.states.size(); ++j)
          if (l.score[j] > kImpossible) edges.push_back(l.states[j].snap.edge);
        std::sort(edges.begin(), edges.end());
        edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
        p.alternatives = edges.empty() ? 0 : static_cast<uint32_t>(edges.size() - 1);
        m.points.push_back(l.point);
        const int32_t back = l.back[best];
        const int32_t prev_states = k > 0 ? static_cast<int32_t>(layers[k - 1].states.size()) : 1;
        uturn_after = back >= prev_states;
        best = back < 0 ? -1 : back % prev_states;
      }
      std::reverse(m.points.begin(), m.points.end());
      result.matchings.push_back(std::move(m));
    }
    layers.clear();
  };

  for (size_t t = 0; t < n; ++t) {
    const double lon = in.coords[2 * t], lat = in.coords[2 * t + 1];
    const double sigma = sigmaOf(t);
    Layer layer;
    layer.point = static_cast<uint32_t>(t);
    for (const SnapResult& c : candidatesWithin(map, lon, lat, radiusOf(t), opt.max_candidates)) {
      const double z = c.distance_m / sigma;
      for (const SegmentPosition& p : positionsOf(eb, c)) layer.states.push_back({c, p, -0.5 * z * z - std::log(sigma)});
    }
    if (layer.states.empty()) continue;  // no road in reach: dropped
    const size_t S = layer.states.size();
    layer.score.assign(S, kImpossible);
    layer.back.assign(S, -1);

    if (!layers.empty() && opt.split_gaps && !in.timestamps.empty() &&
        in.timestamps[t] - in.timestamps[layers.back().point] > opt.max_gap_s)
      finish();

    bool connected = false;
    if (!layers.empty()) {
      const Layer& prev = layers.back();
      const size_t a = prev.point;
      const double gc = haversineMeters(in.coords[2 * a], in.coords[2 * a + 1], lon, lat);
      const double max_route_m = gc + opt.max_detour_m;
      double speed_limit_m = std::numeric_limits<double>::infinity();
      if (!in.timestamps.empty())
        speed_limit_m = opt.max_speed_mps * (in.timestamps[t] - in.timestamps[a]) + radiusOf(a) + radiusOf(t);
      const double reach_m = std::min(max_route_m, speed_limit_m);
      const int64_t bound_ms = static_cast<int64_t>(std::ceil(reach_m * 100 / slow_cm_per_ms));
      // Sources: each state of the previous fix as it arrived, then (for U-turns at that fix) the
      // same point travelled the other way, where the road allows it.
      const size_t P = prev.states.size();
      const int64_t tolerance_cm = std::llround(100 * backwardToleranceM(in, opt, a, t));
      from_pos.clear();
      to_pos.clear();
      tolerances.assign(2 * P, tolerance_cm);
      for (const State& s : prev.states) from_pos.push_back(s.position);
      for (size_t i = 0; i < P; ++i) {
        from_pos.push_back(reversed(eb, prev.states[i]));
        tolerances[P + i] = 0;
      }
      for (const State& s : layer.states) to_pos.push_back(s.position);
      router.run(map, from_pos, to_pos, bound_ms, tolerances, costs);
      if (opt.verify_transitions) {
        // Within the bound the router must find exactly the oracle's duration; beyond it, nothing.
        for (size_t i = 0; i < from_pos.size(); ++i) {
          if (from_pos[i].segment == kNoSegment) continue;
          const std::vector<int64_t> expect = transitionOracle(eb, from_pos[i], to_pos, tolerances[i]);
          for (size_t j = 0; j < S; ++j) {
            const int64_t want = expect[j] <= bound_ms ? expect[j] : kNoTransition;
            if (costs.ms[i * S + j] != want)
              throw Error("Internal", "transition " + std::to_string(i) + " -> " + std::to_string(j) + " at fix " + std::to_string(t) + ": router " +
                                          std::to_string(costs.ms[i * S + j]) + " ms, Dijkstra " + std::to_string(expect[j]) + " ms");
            ++result.verified;
          }
        }
      }
      for (size_t i = 0; i < 2 * P; ++i) {
        if (prev.score[i % P] == kImpossible) continue;
        const double penalty = i >= P ? opt.uturn_penalty_m / opt.beta_m : 0.0;
        for (size_t j = 0; j < S; ++j) {
          const int64_t ms = costs.ms[i * S + j];
          if (ms == kNoTransition) continue;
          const double route_m = costs.cm[i * S + j] / 100.0;
          if (route_m > reach_m) continue;
          const double score = prev.score[i % P] - std::abs(route_m - gc) / opt.beta_m - penalty;
          if (score > layer.score[j]) {
            layer.score[j] = score;
            layer.back[j] = static_cast<int32_t>(i);  // >= P: departing the previous fix reversed
          }
        }
      }
      for (size_t j = 0; j < S; ++j) {
        if (layer.score[j] == kImpossible) continue;
        layer.score[j] += layer.states[j].emission;
        connected = true;
      }
      if (!connected) finish();  // a break: nothing plausible leads here
    }
    if (!connected) {
      for (size_t j = 0; j < S; ++j) layer.score[j] = layer.states[j].emission;
    }
    layers.push_back(std::move(layer));
  }
  finish();
  result.settled = router.settled() - settled_before;
  return result;
}

}  // namespace waymark
