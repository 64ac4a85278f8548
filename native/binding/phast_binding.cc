// One-to-all queries on PHAST: isochrone pieces, one point against many (reach, zone ETAs), tables
// of PHAST runs in parallel across centers (oracle tests, benchmarks), and lenient snapping (a point
// with no road nearby is reported, not an error).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <string>

#include "binding/js_convert.h"
#include "binding/map_handle.h"
#include "binding/query_args.h"
#include "binding/registry.h"
#include "common/parallel.h"
#include "phast/one_to_all.h"
#include "phast/reached_samples.h"
#include "route/route.h"

namespace waymark::js {

namespace {

PhastDirection directionOption(const Napi::Object& o) {
  const std::string d = string(o, "direction", "forward");
  if (d == "forward") return PhastDirection::kForward;
  if (d == "reverse") return PhastDirection::kReverse;
  fail("InvalidValue", "direction must be 'forward' or 'reverse'");
  return PhastDirection::kForward;
}

// CPU time of the calling thread: what a run costs even when the machine is oversubscribed.
double threadCpuMicros() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

unsigned threadsOf(const Napi::Object& o) {
  const double t = number(o, "threads", 0);
  if (!(t >= 0 && t <= 256) || t != std::floor(t)) fail("InvalidValue", "threads must be an integer in [0, 256]");
  return t == 0 ? defaultThreadCount() : static_cast<unsigned>(t);
}

void checkCoordinate(double lon, double lat, size_t i) {
  if (!std::isfinite(lon) || !std::isfinite(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90)
    fail("InvalidValue", "coordinate " + std::to_string(i) + " must be a longitude in [-180, 180] and a latitude in [-90, 90]");
}

// Snaps each point on its own; found = false (not an error) where no road is within the radius.
std::vector<SnapResult> snapLenient(const LoadedMap& map, const double* coords, size_t count, double radius) {
  if (!(radius > 0) || !std::isfinite(radius)) fail("InvalidValue", "radius must be a positive number of metres");
  std::vector<SnapResult> out(count);
  for (size_t i = 0; i < count; ++i) {
    checkCoordinate(coords[2 * i], coords[2 * i + 1], i);
    out[i] = map.snapPoint(coords[2 * i], coords[2 * i + 1], radius);
  }
  return out;
}

SnapResult snapCenter(const LoadedMap& map, Napi::Float64Array location, const Napi::Object& o) {
  if (location.ElementLength() != 2) fail("InvalidArgument", "location must be one lon, lat pair");
  return snapAll(map, location.Data(), 1, snapArgs(o))[0];
}

// isochrone(map, location, { radius, direction, metric: 'duration' | 'distance', limits: Float64Array
// of seconds or metres }): per limit, the reached road pieces as linestrings (flat lon, lat
// coordinates; parts[k]..parts[k+1] are the pairs of piece k).
Napi::Value isochrone(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    MapPtr map = mapArg(info, 0);
    Napi::Float64Array location = coordinatesArg(info, 1, "location");
    Napi::Object o = objectArg(info, 2, "options");
    const PhastDirection direction = directionOption(o);
    const std::string metric_name = string(o, "metric", "duration");
    if (metric_name != "duration" && metric_name != "distance") fail("InvalidValue", "metric must be 'duration' or 'distance'");
    const LimitMetric metric = metric_name == "duration" ? LimitMetric::kDuration : LimitMetric::kDistance;
    if (!has(o, "limits") || !o.Get("limits").IsTypedArray() || o.Get("limits").As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
      fail("InvalidArgument", "limits must be a Float64Array");
    Napi::Float64Array limits = o.Get("limits").As<Napi::Float64Array>();
    if (limits.ElementLength() == 0 || limits.ElementLength() > 16) fail("InvalidValue", "give between 1 and 16 limits");
    for (size_t i = 0; i < limits.ElementLength(); ++i)
      if (!(limits[i] > 0 && limits[i] <= 1e7)) fail("InvalidValue", "limits must be positive and at most 10,000,000");
    const SnapResult center = snapCenter(*map, location, o);
    auto phast = map->phasts.acquire();
    runFromPoint(*map, *phast, direction, center);
    const bool want_lines = boolean(o, "lines", true);
    Napi::Array contours = Napi::Array::New(env, want_lines ? limits.ElementLength() : 0);
    std::vector<double> coords, line;
    std::vector<uint32_t> parts;
    for (size_t k = 0; k < limits.ElementLength() && want_lines; ++k) {
      // Seconds -> ms, metres -> cm.
      const int64_t limit = std::llround(limits[k] * (metric == LimitMetric::kDuration ? 1000.0 : 100.0));
      coords.clear();
      parts.assign(1, 0);
      for (const ReachedPiece& piece : reachedPieces(*map, *phast, direction, center, metric, limit)) {
        const uint32_t edge_dir = map->eb.segment_edge_dir[piece.segment];
        line.clear();
        appendEdgeGeometry(map->road, edge_dir / 2, edge_dir % 2, piece.from, piece.to, line);
        if (line.size() < 4) continue;  // too short to have two distinct points
        coords.insert(coords.end(), line.begin(), line.end());
        parts.push_back(static_cast<uint32_t>(coords.size() / 2));
      }
      Napi::Object c = Napi::Object::New(env);
      Napi::Float64Array cc = Napi::Float64Array::New(env, coords.size());
      std::copy(coords.begin(), coords.end(), cc.Data());
      Napi::Uint32Array pp = Napi::Uint32Array::New(env, parts.size());
      std::copy(parts.begin(), parts.end(), pp.Data());
      c.Set("coordinates", cc);
      c.Set("parts", pp);
      contours.Set(uint32_t(k), c);
    }
    Napi::Object result = Napi::Object::New(env);
    result.Set("location", snapToJs(env, *map, center, false));
    result.Set("contours", contours);
    if (has(o, "sampleStep")) {
      // Points along the network reached within the largest limit: lon, lat, cost (s or m) triples.
      const double step = number(o, "sampleStep", 0);
      if (!(step >= 1 && step <= 10000)) fail("InvalidValue", "sampleStep must be between 1 and 10000 metres");
      const double unit = metric == LimitMetric::kDuration ? 1000.0 : 100.0;
      std::vector<double> internal_limits;
      for (size_t k = 0; k < limits.ElementLength(); ++k) internal_limits.push_back(double(std::llround(limits[k] * unit)));
      const int64_t largest = int64_t(*std::max_element(internal_limits.begin(), internal_limits.end()));
      const auto points = sampleReachedPieces(*map, reachedPieces(*map, *phast, direction, center, metric, largest), step, internal_limits);
      Napi::Float64Array samples = Napi::Float64Array::New(env, points.size() * 3);
      for (size_t i = 0; i < points.size(); ++i) {
        samples[3 * i] = points[i].lon;
        samples[3 * i + 1] = points[i].lat;
        samples[3 * i + 2] = points[i].cost / unit;
      }
      result.Set("samples", samples);
    }
    return result;
  });
}

// oneToMany(map, center, others, { radius, othersRadius, direction }): one PHAST around center;
// forward, center -> each other point; reverse, each other point -> center. Seconds and metres,
// NaN when unreachable or not snapped (snapped[i] = 0: no road within othersRadius).
Napi::Value oneToMany(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    MapPtr map = mapArg(info, 0);
    Napi::Float64Array location = coordinatesArg(info, 1, "center");
    Napi::Float64Array others = coordinatesArg(info, 2, "others");
    Napi::Object o = objectArg(info, 3, "options");
    const PhastDirection direction = directionOption(o);
    const size_t n = others.ElementLength() / 2;
    const std::vector<SnapResult> snaps = snapLenient(*map, others.Data(), n, number(o, "othersRadius", 1000));
    const SnapResult center = snapCenter(*map, location, o);
    auto phast = map->phasts.acquire();
    runFromPoint(*map, *phast, direction, center);
    Napi::Float64Array durations = Napi::Float64Array::New(env, n), distances = Napi::Float64Array::New(env, n);
    Napi::Uint8Array snapped = Napi::Uint8Array::New(env, n);
    for (size_t i = 0; i < n; ++i) {
      snapped[i] = snaps[i].found ? 1 : 0;
      const PointCost c = snaps[i].found ? costWith(*map, *phast, direction, center, snaps[i]) : PointCost{};
      durations[i] = c.ms == kPhastUnreached ? NAN : c.ms / 1000.0;
      distances[i] = c.ms == kPhastUnreached ? NAN : c.cm / 100.0;
    }
    Napi::Object result = Napi::Object::New(env);
    result.Set("center", snapToJs(env, *map, center, false));
    result.Set("durations", durations);
    result.Set("distances", distances);
    result.Set("snapped", snapped);
    return result;
  });
}

// phastTable(map, centers, others, { direction, threads }): one PHAST per center, in parallel;
// row c holds center c -> others (forward) or others -> center c (reverse). Also the microseconds
// each run took (search + sweep, without reading the answers), wall and thread CPU time.
Napi::Value phastTable(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    MapPtr map = mapArg(info, 0);
    Napi::Float64Array centers = coordinatesArg(info, 1, "centers");
    Napi::Float64Array others = coordinatesArg(info, 2, "others");
    Napi::Object o = objectArg(info, 3, "options");
    const PhastDirection direction = directionOption(o);
    const unsigned threads = threadsOf(o);
    const size_t C = centers.ElementLength() / 2, T = others.ElementLength() / 2;
    if (double(C) * double(T) > 25e6) fail("TooBig", "a PHAST table is limited to 25,000,000 cells");
    const SnapArgs args = snapArgs(o);
    const auto a = snapAll(*map, centers.Data(), C, args);
    const auto b = snapAll(*map, others.Data(), T, args);
    std::vector<double> dur(C * T), dis(C * T), micros(C), cpu_micros(C);
    parallelFor(C, threads, [&](uint64_t c, unsigned) {
      auto phast = map->phasts.acquire();
      const auto t0 = std::chrono::steady_clock::now();
      const double cpu0 = threadCpuMicros();
      runFromPoint(*map, *phast, direction, a[c]);
      cpu_micros[c] = threadCpuMicros() - cpu0;
      micros[c] = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
      for (size_t t = 0; t < T; ++t) {
        const PointCost cost = costWith(*map, *phast, direction, a[c], b[t]);
        dur[c * T + t] = cost.ms == kPhastUnreached ? NAN : cost.ms / 1000.0;
        dis[c * T + t] = cost.ms == kPhastUnreached ? NAN : cost.cm / 100.0;
      }
    }, 1);
    Napi::Float64Array durations = Napi::Float64Array::New(env, C * T), distances = Napi::Float64Array::New(env, C * T);
    Napi::Float64Array run_micros = Napi::Float64Array::New(env, C);
    std::copy(dur.begin(), dur.end(), durations.Data());
    std::copy(dis.begin(), dis.end(), distances.Data());
    std::copy(micros.begin(), micros.end(), run_micros.Data());
    Napi::Float64Array run_cpu_micros = Napi::Float64Array::New(env, C);
    std::copy(cpu_micros.begin(), cpu_micros.end(), run_cpu_micros.Data());
    Napi::Object result = Napi::Object::New(env);
    result.Set("durations", durations);
    result.Set("distances", distances);
    result.Set("micros", run_micros);
    result.Set("cpuMicros", run_cpu_micros);
    return result;
  });
}

// snapEach(map, coordinates, { radius }): snapped lon, lat per point, NaN where no road is near.
Napi::Value snapEach(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    MapPtr map = mapArg(info, 0);
    Napi::Float64Array coords = coordinatesArg(info, 1, "coordinates");
    Napi::Object o = objectArg(info, 2, "options");
    const size_t n = coords.ElementLength() / 2;
    const auto snaps = snapLenient(*map, coords.Data(), n, number(o, "radius", 1000));
    Napi::Float64Array out = Napi::Float64Array::New(env, 2 * n);
    for (size_t i = 0; i < n; ++i) {
      out[2 * i] = snaps[i].found ? snaps[i].lon : NAN;
      out[2 * i + 1] = snaps[i].found ? snaps[i].lat : NAN;
    }
    return out;
  });
}

}  // namespace

void registerPhast(Napi::Env env, Napi::Object exports) {
  exports.Set("isochrone", Napi::Function::New(env, isochrone));
  exports.Set("oneToMany", Napi::Function::New(env, oneToMany));
  exports.Set("phastTable", Napi::Function::New(env, phastTable));
  exports.Set("snapEach", Napi::Function::New(env, snapEach));
}

}  // namespace waymark::js
