// Route queries: snap, route through waypoints, the reference Dijkstra (oracle), random road
// points, and a native timing loop for benchmarks.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <cmath>
#include <random>

#include "binding/js_convert.h"
#include "binding/map_handle.h"
#include "binding/query_args.h"
#include "binding/registry.h"
#include "binding/steps_to_js.h"
#include "common/geo.h"
#include "common/phase_clock.h"
#include "guidance/build_steps.h"
#include "alternatives/via_node_alternatives.h"
#include "route/leg.h"
#include "route/reference_dijkstra.h"
#include "route/route.h"

namespace waymark::js {

namespace {

// Snaps every coordinate. With lenient: true, a point that cannot be snapped does not fail the
// call: its entry is { error: { code: "NoSegment", message } } instead.
Napi::Value snap(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    MapPtr map = mapArg(info, 0);
    Napi::Float64Array coords = coordinatesArg(info, 1, "coordinates");
    const Napi::Object o = info.Length() > 2 && info[2].IsObject() ? info[2].As<Napi::Object>() : Napi::Object::New(env);
    const SnapArgs args = snapArgs(o);
    const bool lenient = boolean(o, "lenient", false);
    std::vector<std::string> failures;
    const auto snapped = snapAll(*map, coords.Data(), coords.ElementLength() / 2, args, lenient ? &failures : nullptr);
    Napi::Array out = Napi::Array::New(env, snapped.size());
    for (size_t i = 0; i < snapped.size(); ++i) {
      if (lenient && !failures[i].empty()) {
        Napi::Object item = Napi::Object::New(env);
        Napi::Object error = Napi::Object::New(env);
        error.Set("code", "NoSegment");
        error.Set("message", failures[i]);
        item.Set("error", error);
        out.Set(uint32_t(i), item);
      } else {
        out.Set(uint32_t(i), snapToJs(env, *map, snapped[i], true));
      }
    }
    return out;
  });
}

// The `number` nearest distinct roads to one coordinate, nearest first: each further one is the
// nearest road not yet listed (so the order is exact, not an approximation).
Napi::Value snapNearest(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    MapPtr map = mapArg(info, 0);
    Napi::Float64Array coords = coordinatesArg(info, 1, "coordinate");
    if (coords.ElementLength() != 2) fail("InvalidArgument", "nearest takes exactly one coordinate");
    Napi::Object options = info.Length() > 2 && info[2].IsObject() ? info[2].As<Napi::Object>() : Napi::Object::New(env);
    const SnapArgs args = snapArgs(options);
    const double count = number(options, "number", 1);
    if (!(count >= 1 && count <= 1000) || count != std::floor(count)) fail("InvalidValue", "number must be an integer in [1, 1000]");
    std::vector<SnapResult> found = snapAll(*map, coords.Data(), 1, args);
    const double radius = searchRadiusM(*map, coords[0], coords[1], args.radii.empty() ? args.radius : args.radii[0]);
    // Roads passed over: no direction their bearing and approach allow (at most 64 such).
    std::vector<uint32_t> passed;
    while (found.size() < size_t(count)) {
      SnapResult next = map->snap.snapToRoad(map->road, coords[0], coords[1], radius, [&](uint32_t e) {
        for (const auto& f : found)
          if (f.edge == e) return false;
        if (std::find(passed.begin(), passed.end(), e) != passed.end()) return false;
        return args.allow_isolated || map->eb.snappable(map->eb.segment(e, 0)) || map->eb.snappable(map->eb.segment(e, 1));
      });
      if (!next.found) break;
      next.allow_isolated = args.allow_isolated;
      next.directions = wantedDirections(*map, next, coords[0], coords[1], args, 0);
      if (next.directions == 0) {
        passed.push_back(next.edge);
        if (passed.size() > 64) break;
        continue;
      }
      found.push_back(next);
    }
    Napi::Array out = Napi::Array::New(env, found.size());
    for (size_t i = 0; i < found.size(); ++i) out.Set(uint32_t(i), snapToJs(env, *map, found[i], true));
    return out;
  });
}

Napi::Value route(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    PhaseClock clock;
    Phase snap_phase, route_phase;
    MapPtr map = mapArg(info, 0);
    Napi::Float64Array coords = coordinatesArg(info, 1, "coordinates");
    Napi::Object options = info.Length() > 2 && info[2].IsObject() ? info[2].As<Napi::Object>() : Napi::Object::New(env);
    const SnapArgs args = snapArgs(options);
    const bool want_steps = boolean(options, "steps", false);
    const bool want_pieces = boolean(options, "pieces", false);
    const bool want_osm_nodes = boolean(options, "osmNodes", false);
    // Steps and pieces index into the geometry, so asking for them computes it.
    const bool geometry = boolean(options, "geometry", true) || want_steps || want_pieces || want_osm_nodes;
    const size_t count = coords.ElementLength() / 2;
    if (count < 2) fail("InvalidValue", "a route needs at least two coordinates");
    const double alternatives = number(options, "alternatives", 0);
    if (!(alternatives >= 0 && alternatives <= 16) || alternatives != std::floor(alternatives))
      fail("InvalidValue", "alternatives must be an integer in [0, 16]");
    if (alternatives > 0 && count != 2) fail("InvalidValue", "alternatives are computed between exactly two coordinates");
    const bool want_timings = boolean(options, "timings", false);
    const bool continue_straight = boolean(options, "continueStraight", false);
    // Steps: coordinates that end legs (the first and last always do); the others are via points.
    std::vector<uint8_t> is_waypoint(count, 1);
    if (has(options, "waypoints")) {
      Napi::Value v = options.Get("waypoints");
      if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array) fail("InvalidArgument", "waypoints must be a Uint32Array");
      Napi::Uint32Array w = v.As<Napi::Uint32Array>();
      std::fill(is_waypoint.begin(), is_waypoint.end(), 0);
      for (size_t k = 0; k < w.ElementLength(); ++k) {
        if (w[k] >= count || (k > 0 && w[k] <= w[k - 1])) fail("InvalidValue", "waypoints must be increasing coordinate indices");
        is_waypoint[w[k]] = 1;
      }
      if (!is_waypoint[0] || !is_waypoint[count - 1]) fail("InvalidValue", "waypoints must include the first and the last coordinate");
    }
    const auto points = clock.time(snap_phase, [&] { return snapAll(*map, coords.Data(), count, args); });
    const std::vector<RouteResult> routes = clock.time(route_phase, [&] {
      if (alternatives > 0) return routeWithAlternatives(*map, points[0], points[1], geometry, uint32_t(alternatives), {}, want_osm_nodes);
      return std::vector<RouteResult>{routeThrough(*map, points, geometry, continue_straight, want_osm_nodes)};
    });
    auto toJs = [&](const RouteResult& r) {
      Napi::Object o = Napi::Object::New(env);
      o.Set("duration", r.duration_s);
      o.Set("distance", r.distance_m);
      o.Set("weight", r.weight);
      Napi::Float64Array geom = Napi::Float64Array::New(env, r.coordinates.size());
      std::copy(r.coordinates.begin(), r.coordinates.end(), geom.Data());
      o.Set("geometry", geom);
      Napi::Array legs = Napi::Array::New(env, r.legs.size());
      for (size_t i = 0; i < r.legs.size(); ++i) {
        const RouteLegResult& l = r.legs[i];
        Napi::Object leg = Napi::Object::New(env);
        leg.Set("duration", l.duration_s);
        leg.Set("distance", l.distance_m);
        leg.Set("weight", l.weight);
        Napi::Array names = Napi::Array::New(env, l.names.size());
        for (size_t k = 0; k < l.names.size(); ++k) names.Set(uint32_t(k), l.names[k]);
        leg.Set("names", names);
        leg.Set("geometryBegin", l.geometry_begin);
        leg.Set("geometryEnd", l.geometry_end);
        if (want_pieces) {
          // Four numbers per piece: first and last coordinate index (inclusive), seconds, metres.
          Napi::Float64Array pieces = Napi::Float64Array::New(env, l.pieces.size() * 4);
          for (size_t k = 0; k < l.pieces.size(); ++k) {
            pieces[4 * k] = l.pieces[k].geometry_begin;
            pieces[4 * k + 1] = l.pieces[k].geometry_end;
            pieces[4 * k + 2] = l.pieces[k].duration_s;
            pieces[4 * k + 3] = l.pieces[k].distance_m;
          }
          leg.Set("pieces", pieces);
        }
        if (want_osm_nodes) {
          // OSM node ids are below 2^53: exact as doubles.
          Napi::Float64Array ids = Napi::Float64Array::New(env, l.osm_nodes.size());
          for (size_t k = 0; k < l.osm_nodes.size(); ++k) ids[k] = double(l.osm_nodes[k]);
          leg.Set("osmNodes", ids);
        }
        legs.Set(uint32_t(i), leg);
      }
      o.Set("legs", legs);
      if (want_steps) {
        // One set of steps per pair of consecutive waypoints; legs between via points are joined.
        std::vector<std::vector<RouteStep>> steps;
        std::vector<const RouteLegResult*> group;
        for (size_t i = 0; i < r.legs.size(); ++i) {
          group.push_back(&r.legs[i]);
          if (!is_waypoint[i + 1]) continue;
          steps.push_back(buildSteps(*map, group, r.coordinates, coords.Data()[2 * (i + 1)], coords.Data()[2 * (i + 1) + 1]));
          group.clear();
        }
        o.Set("steps", stepsToJs(env, *map, steps));
      }
      Napi::Array waypoints = Napi::Array::New(env, points.size());
      for (size_t i = 0; i < points.size(); ++i) waypoints.Set(uint32_t(i), snapToJs(env, *map, points[i], true));
      o.Set("waypoints", waypoints);
      o.Set("settled", double(r.settled));
      return o;
    };
    Napi::Object o = toJs(routes[0]);
    Napi::Array alts = Napi::Array::New(env, routes.size() - 1);
    for (size_t i = 1; i < routes.size(); ++i) alts.Set(uint32_t(i - 1), toJs(routes[i]));
    o.Set("alternatives", alts);
    if (want_timings) {
      // The phases of the call, for the worker's trace spans (see common/phase_clock.h).
      double settled = 0;
      for (const RouteResult& r : routes) settled += double(r.settled);
      Napi::Object t = Napi::Object::New(env);
      t.Set("snapStartMicros", snap_phase.start_us);
      t.Set("snapMicros", snap_phase.duration_us);
      t.Set("searchStartMicros", route_phase.start_us);
      t.Set("searchMicros", route_phase.duration_us);
      t.Set("points", double(count));
      t.Set("settledForward", settled);
      t.Set("settledBackward", 0.0);
      t.Set("threads", 1.0);
      o.Set("timings", t);
    }
    return o;
  });
}

Napi::Value referenceRoute(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    MapPtr map = mapArg(info, 0);
    Napi::Float64Array coords = coordinatesArg(info, 1, "coordinates");
    if (coords.ElementLength() != 4) fail("InvalidValue", "the reference route takes exactly two coordinates");
    const SnapArgs args = info.Length() > 2 && info[2].IsObject() ? snapArgs(info[2].As<Napi::Object>()) : SnapArgs{};
    const auto points = snapAll(*map, coords.Data(), 2, args);
    ReferenceDijkstra dijkstra(map->eb.segmentCount());
    dijkstra.run(map->eb, points[0]);
    const auto cost = dijkstra.costTo(map->eb, points[1]);
    if (!cost) fail("NoRoute", "no route between the two points");
    Napi::Object o = Napi::Object::New(env);
    o.Set("duration", cost->first / 1000.0);
    o.Set("distance", cost->second / 100.0);
    o.Set("settled", double(dijkstra.settled()));
    return o;
  });
}

// The snapping oracle for tests: each point snapped as `snap` does by default (radius as there, the
// largest component's roads), but by scanning every road instead of the index. Per point its edge,
// fraction and distance (NaN when nothing lies within the radius).
Napi::Value referenceSnap(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    MapPtr map = mapArg(info, 0);
    Napi::Float64Array coords = coordinatesArg(info, 1, "coordinates");
    if (info.Length() < 3 || !info[2].IsNumber()) fail("InvalidArgument", "expected (map, coordinates, radius)");
    const double radius = info[2].As<Napi::Number>().DoubleValue();
    if (!(radius > 0)) fail("InvalidValue", "radius must be a positive number of metres");
    const size_t n = coords.ElementLength() / 2;
    Napi::Float64Array out = Napi::Float64Array::New(env, 3 * n);
    for (size_t i = 0; i < n; ++i) {
      const double lon = coords[2 * i], lat = coords[2 * i + 1];
      const SnapResult r = SnapIndex::snapByScanningAll(map->road, lon, lat, searchRadiusM(*map, lon, lat, radius),
                                                        [&](uint32_t e) { return ((map->snappable_edge[e >> 6] >> (e & 63)) & 1) != 0; });
      out[3 * i] = r.found ? r.edge : NAN;
      out[3 * i + 1] = r.found ? r.fraction : NAN;
      out[3 * i + 2] = r.found ? r.distance_m : NAN;
    }
    return out;
  });
}

// n random points on snappable roads, reproducible for a seed.
Napi::Value randomRoadPoints(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    MapPtr map = mapArg(info, 0);
    if (info.Length() < 3 || !info[1].IsNumber() || !info[2].IsNumber()) fail("InvalidArgument", "expected (map, count, seed)");
    const double n = info[1].As<Napi::Number>().DoubleValue();
    if (!(n >= 0 && n <= 10'000'000) || n != std::floor(n)) fail("InvalidValue", "count must be an integer in [0, 10000000]");
    std::mt19937_64 rng(static_cast<uint64_t>(info[2].As<Napi::Number>().Int64Value()));
    std::vector<uint32_t> edges;
    for (uint32_t e = 0; e < map->road.edgeCount(); ++e)
      if (map->eb.snappable(map->eb.segment(e, 0)) || map->eb.snappable(map->eb.segment(e, 1))) edges.push_back(e);
    if (edges.empty()) fail("NoSegment", "the map has no snappable roads");
    Napi::Float64Array out = Napi::Float64Array::New(env, size_t(n) * 2);
    std::uniform_int_distribution<size_t> pick(0, edges.size() - 1);
    std::uniform_real_distribution<double> frac(0.0, 1.0);
    std::vector<double> pt;
    for (size_t i = 0; i < size_t(n); ++i) {
      const uint32_t e = edges[pick(rng)];
      const double f = frac(rng);
      pt.clear();
      appendEdgeGeometry(map->road, e, 0, f, f, pt);
      out[2 * i] = std::round(pt[0] * 1e7) / 1e7;
      out[2 * i + 1] = std::round(pt[1] * 1e7) / 1e7;
    }
    return out;
  });
}

// Times snap + query for each pair of points natively (4 numbers per pair), with the CH or with the
// reference Dijkstra. Returns per-query microseconds, durations (NaN when unreachable) and settled.
Napi::Value benchRoutes(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    MapPtr map = mapArg(info, 0);
    Napi::Float64Array coords = coordinatesArg(info, 1, "pairs");
    const std::string mode = stringArg(info, 2, "mode");
    if (mode != "ch" && mode != "dijkstra" && mode != "snap") fail("InvalidArgument", "mode must be 'ch', 'dijkstra' or 'snap'");
    const size_t pairs = coords.ElementLength() / 4;
    Napi::Float64Array micros = Napi::Float64Array::New(env, pairs);
    Napi::Float64Array durations = Napi::Float64Array::New(env, pairs);
    Napi::Float64Array settled = Napi::Float64Array::New(env, pairs);
    Napi::Float64Array snap_micros = Napi::Float64Array::New(env, pairs);
    auto query = map->queries.acquire();
    timespec cpu0{}, cpu1{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu0);
    ReferenceDijkstra dijkstra(mode == "dijkstra" ? map->eb.segmentCount() : 0);
    CHSearchCounts total;  // summed over the CH searches
    for (size_t i = 0; i < pairs; ++i) {
      const double* c = coords.Data() + 4 * i;
      const auto t0 = std::chrono::steady_clock::now();
      map->prefetchSnaps(c, 2);
      const SnapResult a = map->snapPoint(c[0], c[1], 1000);
      const SnapResult b = map->snapPoint(c[2], c[3], 1000);
      snap_micros[i] = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
      double duration = NAN;
      uint64_t s = 0;
      if (a.found && b.found && mode != "snap") {
        if (mode == "ch") {
          const LegPath leg = shortestLeg(*map, *query, a, b, false);
          if (leg.found) duration = leg.duration_ms / 1000.0;
          s = leg.settled;
          const CHSearchCounts& c = query->counts();
          total.settled += c.settled;
          total.stalled += c.stalled;
          total.stall_arcs += c.stall_arcs;
          total.relax_arcs += c.relax_arcs;
          total.pushes += c.pushes;
          total.core_labels += c.core_labels;
          total.core_pairs += c.core_pairs;
          total.core_paths += c.core_paths;
        } else {
          dijkstra.run(map->eb, a);
          if (auto cost = dijkstra.costTo(map->eb, b)) duration = cost->first / 1000.0;
          s = dijkstra.settled();
        }
      }
      micros[i] = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
      durations[i] = duration;
      settled[i] = double(s);
    }
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu1);
    Napi::Object o = Napi::Object::New(env);
    o.Set("micros", micros);
    o.Set("snapMicros", snap_micros);
    o.Set("durations", durations);
    o.Set("settled", settled);
    Napi::Object counts = Napi::Object::New(env);
    counts.Set("settled", double(total.settled));
    counts.Set("stalled", double(total.stalled));
    counts.Set("stallArcs", double(total.stall_arcs));
    counts.Set("relaxArcs", double(total.relax_arcs));
    counts.Set("pushes", double(total.pushes));
    counts.Set("coreLabels", double(total.core_labels));
    counts.Set("corePairs", double(total.core_pairs));
    counts.Set("corePaths", double(total.core_paths));
    o.Set("chCounts", counts);
    o.Set("cpuMicros", (cpu1.tv_sec - cpu0.tv_sec) * 1e6 + (cpu1.tv_nsec - cpu0.tv_nsec) / 1e3);
    return o;
  });
}

}  // namespace

void registerRoute(Napi::Env env, Napi::Object exports) {
  exports.Set("snap", Napi::Function::New(env, snap));
  exports.Set("route", Napi::Function::New(env, route));
  exports.Set("snapNearest", Napi::Function::New(env, snapNearest));
  exports.Set("referenceRoute", Napi::Function::New(env, referenceRoute));
  exports.Set("randomRoadPoints", Napi::Function::New(env, randomRoadPoints));
  exports.Set("referenceSnap", Napi::Function::New(env, referenceSnap));
  exports.Set("benchRoutes", Napi::Function::New(env, benchRoutes));
  exports.Set("maneuverNames", Napi::Function::New(env, [](const Napi::CallbackInfo& info) { return maneuverNamesToJs(info.Env()); }));
}

}  // namespace waymark::js
