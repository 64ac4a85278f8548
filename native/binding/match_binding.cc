// Map matching: a GPS trace in, matchings (HMM + Viterbi, native/match/) out; and, for tests, the
// directed road segments of a plain route (the ground truth a sampled trace came from).
#include <cmath>

#include "binding/js_convert.h"
#include "binding/map_handle.h"
#include "binding/query_args.h"
#include "binding/registry.h"
#include "binding/steps_to_js.h"
#include "guidance/build_steps.h"
#include "common/geo.h"
#include "match/hmm_matcher.h"
#include "match/matched_route.h"
#include "route/leg.h"
#include "route/route.h"

namespace waymark::js {

namespace {

std::vector<double> float64Option(const Napi::Object& o, const char* key) {
  if (!has(o, key)) return {};
  Napi::Value v = o.Get(key);
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    fail("InvalidArgument", std::string(key) + " must be a Float64Array");
  Napi::Float64Array a = v.As<Napi::Float64Array>();
  return std::vector<double>(a.Data(), a.Data() + a.ElementLength());
}

double positiveOption(const Napi::Object& o, const char* key, double fallback) {
  const double v = number(o, key, fallback);
  if (!(v > 0) || !std::isfinite(v)) fail("InvalidValue", std::string(key) + " must be a positive number");
  return v;
}

template <typename T, typename A>
A typedArray(Napi::Env env, const std::vector<T>& v) {
  A a = A::New(env, v.size());
  std::copy(v.begin(), v.end(), a.Data());
  return a;
}

Napi::Value match(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    MapPtr map = mapArg(info, 0);
    Napi::Float64Array coords = coordinatesArg(info, 1, "coordinates");
    Napi::Object o = info.Length() > 2 && info[2].IsObject() ? info[2].As<Napi::Object>() : Napi::Object::New(env);
    MatchInput input;
    input.coords.assign(coords.Data(), coords.Data() + coords.ElementLength());
    input.sigmas = float64Option(o, "radiuses");
    input.timestamps = float64Option(o, "timestamps");
    MatchOptions opt;
    opt.default_sigma_m = positiveOption(o, "sigma", opt.default_sigma_m);
    opt.search_radius_factor = positiveOption(o, "searchRadiusFactor", opt.search_radius_factor);
    opt.beta_m = positiveOption(o, "beta", opt.beta_m);
    opt.max_detour_m = positiveOption(o, "maxDetour", opt.max_detour_m);
    opt.max_gap_s = positiveOption(o, "maxGap", opt.max_gap_s);
    opt.max_speed_mps = positiveOption(o, "maxSpeed", opt.max_speed_mps);
    opt.uturn_penalty_m = number(o, "uturnPenalty", opt.uturn_penalty_m);
    if (!(opt.uturn_penalty_m >= 0) || !std::isfinite(opt.uturn_penalty_m)) fail("InvalidValue", "uturnPenalty must be a non-negative number");
    const double max_candidates = positiveOption(o, "maxCandidates", opt.max_candidates);
    if (max_candidates > 100 || max_candidates != std::floor(max_candidates)) fail("InvalidValue", "maxCandidates must be an integer in [1, 100]");
    opt.max_candidates = static_cast<uint32_t>(max_candidates);
    opt.split_gaps = boolean(o, "splitGaps", true);
    opt.verify_transitions = boolean(o, "verifyTransitions", false);
    const bool geometry = boolean(o, "geometry", true);
    const bool detailed = boolean(o, "segments", false);
    const bool want_steps = boolean(o, "steps", false);
    const bool want_osm_nodes = boolean(o, "osmNodes", false);
    // Steps: the points that end legs (besides each matching's ends); default every point.
    const size_t point_count = coords.ElementLength() / 2;
    std::vector<uint8_t> is_waypoint(point_count, 1);
    if (has(o, "waypoints")) {
      const std::vector<double> w = float64Option(o, "waypoints");
      std::fill(is_waypoint.begin(), is_waypoint.end(), 0);
      for (double i : w) {
        if (!(i >= 0 && i < double(point_count)) || i != std::floor(i)) fail("InvalidValue", "waypoints must be point indices");
        is_waypoint[size_t(i)] = 1;
      }
    }

    const HmmResult hmm = matchTrace(*map, input, opt);
    const size_t n = hmm.points.size();
    Napi::Array tracepoints = Napi::Array::New(env, n);
    for (size_t i = 0; i < n; ++i) {
      const MatchedPoint& p = hmm.points[i];
      if (p.matching < 0) {
        tracepoints.Set(uint32_t(i), env.Null());
        continue;
      }
      Napi::Object t = snapToJs(env, *map, p.snap, false);
      t.Set("distance", haversineMeters(input.coords[2 * i], input.coords[2 * i + 1], p.snap.lon, p.snap.lat));
      t.Set("matching", p.matching);
      t.Set("index", p.index_in_matching);
      t.Set("alternatives", p.alternatives);
      tracepoints.Set(uint32_t(i), t);
    }
    Napi::Array matchings = Napi::Array::New(env, hmm.matchings.size());
    for (uint32_t m = 0; m < hmm.matchings.size(); ++m) {
      const MatchedRoute r = routeOfMatching(*map, input, hmm, m, opt, geometry || want_osm_nodes, want_osm_nodes);
      Napi::Object mo = Napi::Object::New(env);
      std::vector<uint32_t> points(hmm.matchings[m].points);
      mo.Set("points", typedArray<uint32_t, Napi::Uint32Array>(env, points));
      mo.Set("duration", r.duration_s);
      mo.Set("distance", r.distance_m);
      mo.Set("traceDistance", r.trace_m);
      mo.Set("logProbability", hmm.matchings[m].log_probability);
      mo.Set("geometry", typedArray<double, Napi::Float64Array>(env, r.coordinates));
      Napi::Array legs = Napi::Array::New(env, r.legs.size());
      for (size_t k = 0; k < r.legs.size(); ++k) {
        const MatchedLeg& l = r.legs[k];
        Napi::Object lo = Napi::Object::New(env);
        lo.Set("duration", l.duration_ms / 1000.0);
        lo.Set("distance", l.distance_cm / 100.0);
        Napi::Array names = Napi::Array::New(env, l.names.size());
        for (size_t j = 0; j < l.names.size(); ++j) names.Set(uint32_t(j), l.names[j]);
        lo.Set("names", names);
        lo.Set("geometryBegin", l.geometry_begin);
        lo.Set("geometryEnd", l.geometry_end);
        lo.Set("pairDistance", typedArray<double, Napi::Float64Array>(env, l.pair_distance_m));
        lo.Set("pairDuration", typedArray<double, Napi::Float64Array>(env, l.pair_duration_s));
        if (want_osm_nodes) lo.Set("osmNodes", typedArray<int64_t, Napi::Float64Array>(env, l.osm_nodes));
        if (detailed) {
          lo.Set("segments", typedArray<uint32_t, Napi::Uint32Array>(env, l.segments));
          lo.Set("startFraction", departurePosition(map->eb, hmm.points[hmm.matchings[m].points[k]]).fraction);
          lo.Set("endFraction", hmm.points[hmm.matchings[m].points[k + 1]].position.fraction);
        }
        legs.Set(uint32_t(k), lo);
      }
      mo.Set("legs", legs);
      if (want_steps) {
        // The matched legs as routes are (road pieces and their geometry), for the same guidance as
        // /route; the steps index into `stepGeometry`.
        RouteResult as_route;
        const std::vector<uint32_t>& pts = hmm.matchings[m].points;
        for (size_t k = 0; k < r.legs.size(); ++k) {
          const MatchedLeg& l = r.legs[k];
          const MatchedPoint& from = hmm.points[hmm.matchings[m].points[k]];
          LegPath path;
          path.found = true;
          path.duration_ms = l.duration_ms;
          path.distance_cm = l.distance_cm;
          path.segments = l.segments;
          path.start_fraction = l.start_fraction;
          path.end_fraction = l.end_fraction;
          if (path.segments.empty()) {
            // Standing still: a leg of no length at the point (depart and arrive there).
            const SegmentPosition at = departurePosition(map->eb, from);
            path.segments = {at.segment};
            path.start_fraction = path.end_fraction = at.fraction;
          }
          appendLeg(*map, path, true, as_route);
        }
        // One set of steps per pair of consecutive waypoints (the matching's ends always are).
        std::vector<std::vector<RouteStep>> steps;
        std::vector<const RouteLegResult*> group;
        for (size_t k = 0; k < as_route.legs.size(); ++k) {
          group.push_back(&as_route.legs[k]);
          const uint32_t end = pts[k + 1];
          if (k + 2 < pts.size() && !is_waypoint[end]) continue;
          steps.push_back(buildSteps(*map, group, as_route.coordinates, input.coords[2 * end], input.coords[2 * end + 1]));
          group.clear();
        }
        mo.Set("steps", stepsToJs(env, *map, steps));
        mo.Set("stepGeometry", typedArray<double, Napi::Float64Array>(env, as_route.coordinates));
      }
      matchings.Set(m, mo);
    }
    Napi::Object out = Napi::Object::New(env);
    out.Set("tracepoints", tracepoints);
    out.Set("matchings", matchings);
    out.Set("settled", double(hmm.settled));
    out.Set("verified", double(hmm.verified));
    return out;
  });
}

// The directed segments of the fastest route through the points (plain CH legs): pieces as
// segment, start fraction, end fraction, length in metres of the piece.
Napi::Value routeSegments(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    MapPtr map = mapArg(info, 0);
    Napi::Float64Array coords = coordinatesArg(info, 1, "coordinates");
    const size_t count = coords.ElementLength() / 2;
    if (count < 2) fail("InvalidValue", "a route needs at least two coordinates");
    const auto points = snapAll(*map, coords.Data(), count, SnapArgs{});
    auto query = map->queries.acquire();
    std::vector<uint32_t> segments;
    std::vector<double> from, to, metres;
    for (size_t i = 0; i + 1 < count; ++i) {
      const LegPath leg = shortestLeg(*map, *query, points[i], points[i + 1], true);
      if (!leg.found) fail("NoRoute", "no route between waypoints " + std::to_string(i) + " and " + std::to_string(i + 1));
      for (size_t k = 0; k < leg.segments.size(); ++k) {
        const double f0 = k == 0 ? leg.start_fraction : 0.0, f1 = k + 1 == leg.segments.size() ? leg.end_fraction : 1.0;
        segments.push_back(leg.segments[k]);
        from.push_back(f0);
        to.push_back(f1);
        metres.push_back((f1 - f0) * map->eb.segment_length_cm[leg.segments[k]] / 100.0);
      }
    }
    Napi::Object out = Napi::Object::New(env);
    out.Set("segments", typedArray<uint32_t, Napi::Uint32Array>(env, segments));
    out.Set("from", typedArray<double, Napi::Float64Array>(env, from));
    out.Set("to", typedArray<double, Napi::Float64Array>(env, to));
    out.Set("metres", typedArray<double, Napi::Float64Array>(env, metres));
    return out;
  });
}

}  // namespace

void registerMatch(Napi::Env env, Napi::Object exports) {
  exports.Set("match", Napi::Function::New(env, match));
  exports.Set("routeSegments", Napi::Function::New(env, routeSegments));
}

}  // namespace waymark::js
