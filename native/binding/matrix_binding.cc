// Matrices: sources x destinations (rectangular or square), sparse (source, destination) pairs, and
// the one-to-all Dijkstra reference table (the oracle). Results go straight into typed arrays:
// durations in seconds, distances in metres, NaN where there is no path.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <unordered_map>

#include "binding/js_convert.h"
#include "binding/map_handle.h"
#include "binding/query_args.h"
#include "binding/registry.h"
#include "common/parallel.h"
#include "common/phase_clock.h"
#include "matrix/many_to_many.h"
#include "matrix/rphast_sweep.h"
#include "route/leg.h"
#include "route/reference_dijkstra.h"

namespace waymark::js {

namespace {

constexpr double kDefaultMaxCells = 25e6;

struct Distinct {
  std::vector<double> coords;          // distinct lon, lat pairs
  std::vector<uint32_t> index_of;      // input point -> distinct point
  std::vector<uint32_t> first;         // distinct point -> first input point
};

// Every distinct coordinate is snapped once, however often it appears. With per-point radii, the
// same coordinate under two radii is two points (each may fail on its own). `first` is the input
// point each distinct point was first seen at (what messages call it by).
// Points are the same when their coordinates, radius and per-point wishes (hint, bearing, approach)
// are.
Distinct distinctPoints(const double* coords, size_t count, const SnapArgs& args) {
  const std::vector<double>& radii = args.radii;
  if (!radii.empty() && radii.size() != count) fail("InvalidValue", "radiuses must have one value per coordinate");
  if (!args.hint_edge.empty() && args.hint_edge.size() != count) fail("InvalidValue", "hints must have one entry per coordinate");
  if (!args.bearing.empty() && args.bearing.size() != count) fail("InvalidValue", "bearings must have one entry per coordinate");
  if (!args.approach.empty() && args.approach.size() != count) fail("InvalidValue", "approaches must have one entry per coordinate");
  auto append = [](std::string& key, const std::vector<double>& v, size_t i) {
    if (!v.empty()) key.append(reinterpret_cast<const char*>(&v[i]), sizeof(double));
  };
  Distinct d;
  std::unordered_map<std::string, uint32_t> seen;
  d.index_of.resize(count);
  for (size_t i = 0; i < count; ++i) {
    std::string key(reinterpret_cast<const char*>(coords + 2 * i), 2 * sizeof(double));
    append(key, radii, i);
    append(key, args.hint_edge, i);
    append(key, args.hint_fraction, i);
    append(key, args.bearing, i);
    append(key, args.bearing_range, i);
    append(key, args.approach, i);
    auto [it, inserted] = seen.emplace(key, static_cast<uint32_t>(d.coords.size() / 2));
    if (inserted) {
      d.coords.push_back(coords[2 * i]);
      d.coords.push_back(coords[2 * i + 1]);
      d.first.push_back(static_cast<uint32_t>(i));
    }
    d.index_of[i] = it->second;
  }
  return d;
}

// The snapping arguments of the distinct points, from those of the input points.
SnapArgs distinctArgs(const SnapArgs& args, const Distinct& d, size_t count) {
  if (!args.radii.empty() && args.radii.size() != count) fail("InvalidValue", "radiuses must have one value per coordinate");
  if (!args.numbers.empty() && args.numbers.size() != count) fail("InvalidArgument", "coordinateNumbers must have one value per coordinate");
  SnapArgs out = args;
  out.radii.clear();
  out.numbers.clear();
  out.hint_edge.clear();
  out.hint_fraction.clear();
  out.bearing.clear();
  out.bearing_range.clear();
  out.approach.clear();
  auto keep = [](std::vector<double>& to, const std::vector<double>& from, uint32_t i) {
    if (!from.empty()) to.push_back(from[i]);
  };
  for (uint32_t i : d.first) {
    keep(out.radii, args.radii, i);
    keep(out.hint_edge, args.hint_edge, i);
    keep(out.hint_fraction, args.hint_fraction, i);
    keep(out.bearing, args.bearing, i);
    keep(out.bearing_range, args.bearing_range, i);
    keep(out.approach, args.approach, i);
    out.numbers.push_back(args.numbers.empty() ? i : args.numbers[i]);
  }
  return out;
}

Napi::Array snapsToJs(Napi::Env env, const LoadedMap& map, const std::vector<SnapResult>& snaps, const std::vector<uint32_t>& index_of,
                      bool detailed = false) {
  Napi::Array out = Napi::Array::New(env, index_of.size());
  for (size_t i = 0; i < index_of.size(); ++i) out.Set(uint32_t(i), snapToJs(env, map, snaps[index_of[i]], detailed));
  return out;
}

double maxCellsOption(const Napi::Object& o) {
  const double max_cells = number(o, "maxCells", kDefaultMaxCells);
  if (!(max_cells >= 1)) fail("InvalidValue", "maxCells must be at least 1");
  return max_cells;
}

unsigned threadsOption(const Napi::Object& o) {
  const double t = number(o, "threads", 0);
  if (!(t >= 0 && t <= 256) || t != std::floor(t)) fail("InvalidValue", "threads must be an integer in [0, 256]");
  return static_cast<unsigned>(t);
}

MatrixMethod methodOption(const Napi::Object& o) {
  const std::string m = string(o, "method", "auto");
  if (m == "auto") return MatrixMethod::kAuto;
  if (m == "buckets") return MatrixMethod::kBuckets;
  if (m == "rphast") return MatrixMethod::kRphast;
  fail("InvalidValue", "method must be 'auto', 'buckets' or 'rphast'");
  return MatrixMethod::kAuto;
}

// options.timings: the phases of the call and its counters, for the worker's trace spans.
Napi::Object timingsToJs(Napi::Env env, const Phase& snap, const Phase& search, size_t points, const ManyToManyStats& stats) {
  Napi::Object t = Napi::Object::New(env);
  t.Set("snapStartMicros", snap.start_us);
  t.Set("snapMicros", snap.duration_us);
  t.Set("searchStartMicros", search.start_us);
  t.Set("searchMicros", search.duration_us);
  t.Set("points", double(points));
  t.Set("settledBackward", double(stats.settled_backward));
  t.Set("settledForward", double(stats.settled_forward));
  t.Set("blocks", double(stats.blocks));
  t.Set("threads", double(stats.threads));
  t.Set("method", stats.method == MatrixMethod::kRphast ? "rphast" : "buckets");
  t.Set("selectedNodes", double(stats.selected_nodes));
  t.Set("sweeps", double(stats.sweeps));
  t.Set("sweepLanes", double(stats.sweep_lanes));
  t.Set("simd", sweepLanesIsa());
  t.Set("denseBuckets", double(stats.dense_buckets));
  Napi::Array phases = Napi::Array::New(env, stats.phases.size());
  for (uint32_t i = 0; i < stats.phases.size(); ++i) {
    Napi::Object p = Napi::Object::New(env);
    p.Set("name", stats.phases[i].name);
    p.Set("wallMs", stats.phases[i].wall_ms);
    p.Set("cpuMs", stats.phases[i].cpu_ms);
    phases[i] = p;
  }
  t.Set("phases", phases);
  if (stats.estimated) {
    const MatrixCostEstimate& e = stats.estimate;
    Napi::Object o = Napi::Object::New(env);
    o.Set("selectionNodes", double(e.selection_nodes));
    o.Set("selectionArcs", double(e.selection_arcs));
    o.Set("backwardSettledPerTarget", e.backward_settled_per_target);
    o.Set("bucketScanPerSource", e.bucket_scan_per_source);
    o.Set("denseCellsPerSource", e.dense_cells_per_source);
    o.Set("nsPerSettled", e.ns_per_settled);
    o.Set("bucketsMs", e.buckets_ms);
    o.Set("rphastMs", e.rphast_ms);
    t.Set("estimate", o);
  }
  return t;
}

void store(double* durations, double* distances, size_t cell, int64_t ms, int64_t cm) {
  if (durations) durations[cell] = ms == kUnreachable ? NAN : ms / 1000.0;
  if (distances) distances[cell] = ms == kUnreachable ? NAN : cm / 100.0;
}

Napi::Value matrix(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    PhaseClock clock;
    Phase snap_phase, search_phase;
    MapPtr map = mapArg(info, 0);
    Napi::Float64Array src = coordinatesArg(info, 1, "sources");
    const bool square = info.Length() <= 2 || info[2].IsNull() || info[2].IsUndefined();
    Napi::Float64Array dst = square ? src : coordinatesArg(info, 2, "destinations");
    Napi::Object o = info.Length() > 3 && info[3].IsObject() ? info[3].As<Napi::Object>() : Napi::Object::New(env);
    const size_t S = src.ElementLength() / 2, T = dst.ElementLength() / 2;
    const double max_cells = maxCellsOption(o);
    // The guard comes before any allocation or snapping.
    if (double(S) * double(T) > max_cells)
      fail("TooBig", "a " + std::to_string(S) + " x " + std::to_string(T) + " matrix exceeds the limit of " +
                         std::to_string(static_cast<uint64_t>(max_cells)) + " cells");
    if (S == 0 || T == 0) fail("InvalidValue", "a matrix needs at least one source and one destination");
    const bool want_durations = boolean(o, "durations", true);
    const bool want_distances = boolean(o, "distances", true);
    const bool want_timings = boolean(o, "timings", false);
    // Radii: one per source for a square matrix, else one per source then one per destination.
    SnapArgs args = snapArgs(o);
    ManyToManyOptions options;
    options.threads = threadsOption(o);
    options.method = methodOption(o);
    options.distances = want_distances;
    // The travel channel (custom models) carries travel times in its distance lanes: always computed.
    ManyToManyOptions travel_options = options;
    travel_options.distances = true;

    // Snap the distinct coordinates of sources and destinations together, once each.
    std::vector<double> all(src.Data(), src.Data() + 2 * S);
    if (!square) all.insert(all.end(), dst.Data(), dst.Data() + 2 * T);
    const Distinct distinct = distinctPoints(all.data(), all.size() / 2, args);
    const SnapArgs distinct_args = distinctArgs(args, distinct, all.size() / 2);
    const std::vector<SnapResult> snaps =
        clock.time(snap_phase, [&] { return snapAll(*map, distinct.coords.data(), distinct.coords.size() / 2, distinct_args); });
    std::vector<uint32_t> src_index(distinct.index_of.begin(), distinct.index_of.begin() + S);
    std::vector<uint32_t> dst_index = square ? src_index : std::vector<uint32_t>(distinct.index_of.begin() + S, distinct.index_of.end());

    // Unique rows and columns, and which output rows/columns each feeds.
    auto unique = [](const std::vector<uint32_t>& index, std::vector<uint32_t>& points, std::vector<std::vector<uint32_t>>& uses) {
      std::unordered_map<uint32_t, uint32_t> slot;
      for (uint32_t i = 0; i < index.size(); ++i) {
        auto [it, inserted] = slot.emplace(index[i], static_cast<uint32_t>(points.size()));
        if (inserted) {
          points.push_back(index[i]);
          uses.emplace_back();
        }
        uses[it->second].push_back(i);
      }
    };
    std::vector<uint32_t> row_points, col_points;
    std::vector<std::vector<uint32_t>> row_uses, col_uses;
    unique(src_index, row_points, row_uses);
    unique(dst_index, col_points, col_uses);
    std::vector<SnapResult> row_snaps, col_snaps;
    for (uint32_t p : row_points) row_snaps.push_back(snaps[p]);
    for (uint32_t p : col_points) col_snaps.push_back(snaps[p]);

    // Each column used once (no repeated destinations, the usual case): its output column, for a tight loop.
    std::vector<uint32_t> single_col;
    if (std::all_of(col_uses.begin(), col_uses.end(), [](const auto& u) { return u.size() == 1; }))
      for (const auto& u : col_uses) single_col.push_back(u[0]);
    Napi::Float64Array durations = want_durations ? Napi::Float64Array::New(env, S * T) : Napi::Float64Array();
    Napi::Float64Array distances = want_distances ? Napi::Float64Array::New(env, S * T) : Napi::Float64Array();
    double* dur = want_durations ? durations.Data() : nullptr;
    double* dis = want_distances ? distances.Data() : nullptr;
    const ManyToManyStats stats = clock.time(search_phase, [&] {
      // A metric whose weight is not travel time (custom model): the durations are the travel times
      // of the chosen paths, accumulated by a second pass over the same weights (travel_channel).
      double* weight_only = map->weight_is_travel_time ? dur : nullptr;
      ManyToManyStats s = manyToMany(*map, row_snaps, col_snaps, options, [&](uint32_t r, uint32_t begin, uint32_t count, const int64_t* ms, const int64_t* cm) {
        for (uint32_t out_row : row_uses[r]) {
          const size_t row_start = size_t(out_row) * T;
          if (!single_col.empty()) {
            for (uint32_t c = 0; c < count; ++c) store(weight_only, dis, row_start + single_col[begin + c], ms[c], cm[c]);
            continue;
          }
          for (uint32_t c = 0; c < count; ++c)
            for (uint32_t out_col : col_uses[begin + c]) store(weight_only, dis, row_start + out_col, ms[c], cm[c]);
        }
      });
      if (!map->weight_is_travel_time && dur)
        manyToMany(*map->travel_channel, row_snaps, col_snaps, travel_options, [&](uint32_t r, uint32_t begin, uint32_t count, const int64_t* ms, const int64_t* travel) {
          for (uint32_t out_row : row_uses[r])
            for (uint32_t c = 0; c < count; ++c)
              for (uint32_t out_col : col_uses[begin + c]) dur[size_t(out_row) * T + out_col] = ms[c] == kUnreachable ? NAN : travel[c] / 1000.0;
        });
      return s;
    });

    Napi::Object result = Napi::Object::New(env);
    if (want_durations) result.Set("durations", durations);
    if (want_distances) result.Set("distances", distances);
    // snapDetails: each point's road and position too (what a hint holds).
    const bool details = boolean(o, "snapDetails", false);
    result.Set("sources", snapsToJs(env, *map, snaps, src_index, details));
    result.Set("destinations", snapsToJs(env, *map, snaps, dst_index, details));
    result.Set("rows", double(S));
    result.Set("cols", double(T));
    if (want_timings) result.Set("timings", timingsToJs(env, snap_phase, search_phase, distinct.coords.size() / 2, stats));
    return result;
  });
}

// Sparse mode: durations/distances for listed (source, destination) index pairs over `locations`.
Napi::Value matrixPairs(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    PhaseClock clock;
    Phase snap_phase, search_phase;
    MapPtr map = mapArg(info, 0);
    Napi::Float64Array locs = coordinatesArg(info, 1, "locations");
    if (info.Length() < 3 || !info[2].IsTypedArray() || info[2].As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array)
      fail("InvalidArgument", "pairs must be a Uint32Array of source, destination index pairs");
    Napi::Uint32Array pairs = info[2].As<Napi::Uint32Array>();
    Napi::Object o = info.Length() > 3 && info[3].IsObject() ? info[3].As<Napi::Object>() : Napi::Object::New(env);
    const size_t L = locs.ElementLength() / 2, P = pairs.ElementLength() / 2;
    if (pairs.ElementLength() % 2 != 0) fail("InvalidArgument", "pairs must hold source, destination index pairs");
    if (double(P) > maxCellsOption(o)) fail("TooBig", std::to_string(P) + " pairs exceed the limit of cells");
    for (size_t i = 0; i < 2 * P; ++i)
      if (pairs[i] >= L) fail("InvalidValue", "pair " + std::to_string(i / 2) + " refers to location " + std::to_string(pairs[i]) + ", but there are only " + std::to_string(L));
    const bool want_durations = boolean(o, "durations", true);
    const bool want_distances = boolean(o, "distances", true);
    const bool want_timings = boolean(o, "timings", false);
    const SnapArgs args = snapArgs(o);
    ManyToManyOptions options;
    options.threads = threadsOption(o);
    options.method = methodOption(o);
    options.distances = want_distances;
    // The travel channel (custom models) carries travel times in its distance lanes: always computed.
    ManyToManyOptions travel_options = options;
    travel_options.distances = true;
    const unsigned threads = options.threads ? options.threads : defaultThreadCount();

    const Distinct distinct = distinctPoints(locs.Data(), L, args);
    const SnapArgs distinct_args = distinctArgs(args, distinct, L);
    const std::vector<SnapResult> snaps =
        clock.time(snap_phase, [&] { return snapAll(*map, distinct.coords.data(), distinct.coords.size() / 2, distinct_args); });
    Napi::Float64Array durations = want_durations ? Napi::Float64Array::New(env, P) : Napi::Float64Array();
    Napi::Float64Array distances = want_distances ? Napi::Float64Array::New(env, P) : Napi::Float64Array();
    double* dur = want_durations ? durations.Data() : nullptr;
    double* dis = want_distances ? distances.Data() : nullptr;

    // Distinct sources and destinations among the pairs.
    std::unordered_map<uint32_t, uint32_t> src_slot, dst_slot;
    std::vector<SnapResult> src_snaps, dst_snaps;
    std::vector<std::vector<std::pair<uint32_t, uint32_t>>> wanted;  // per source slot: (dst slot, pair)
    for (uint32_t i = 0; i < P; ++i) {
      const uint32_t a = distinct.index_of[pairs[2 * i]], b = distinct.index_of[pairs[2 * i + 1]];
      auto [sa, new_a] = src_slot.emplace(a, static_cast<uint32_t>(src_snaps.size()));
      if (new_a) {
        src_snaps.push_back(snaps[a]);
        wanted.emplace_back();
      }
      auto [sb, new_b] = dst_slot.emplace(b, static_cast<uint32_t>(dst_snaps.size()));
      if (new_b) dst_snaps.push_back(snaps[b]);
      wanted[sa->second].push_back({sb->second, i});
    }
    ManyToManyStats stats;
    search_phase.start_us = clock.elapsedMicros();
    if (options.method == MatrixMethod::kAuto && P <= 4 * (src_snaps.size() + dst_snaps.size())) {
      // Few pairs: one point-to-point query each, in parallel.
      std::vector<uint64_t> settled(threads);
      parallelFor(P, threads, [&](uint64_t i, unsigned th) {
        auto query = map->queries.acquire();
        const SnapResult& from = snaps[distinct.index_of[pairs[2 * i]]];
        const SnapResult& to = snaps[distinct.index_of[pairs[2 * i + 1]]];
        const LegPath leg = shortestLeg(*map, *query, from, to, false);
        store(dur, dis, i, leg.found ? leg.duration_ms : kUnreachable, leg.distance_cm);
        if (!map->weight_is_travel_time && dur && leg.found) {
          // Travel time of the same path: the travel channel carries it as its distance.
          auto travel_query = map->travel_channel->queries.acquire();
          const LegPath travel = shortestLeg(*map->travel_channel, *travel_query, from, to, false);
          dur[i] = travel.found ? travel.distance_cm / 1000.0 : NAN;
        }
        settled[th] += leg.settled;
      }, 16);
      stats.threads = threads;
      for (uint64_t n : settled) stats.settled_forward += n;
    } else {
      // Many pairs: a matrix over the distinct destinations; each source reads only its own pairs.
      stats = manyToMany(*map, src_snaps, dst_snaps, options, [&](uint32_t s, uint32_t begin, uint32_t count, const int64_t* ms, const int64_t* cm) {
        for (const auto& [d, pair] : wanted[s])
          if (d >= begin && d < begin + count) store(dur, dis, pair, ms[d - begin], cm[d - begin]);
      });
      if (!map->weight_is_travel_time && dur)  // travel times of the chosen paths (see matrix())
        manyToMany(*map->travel_channel, src_snaps, dst_snaps, travel_options, [&](uint32_t s, uint32_t begin, uint32_t count, const int64_t* ms, const int64_t* travel) {
          for (const auto& [d, pair] : wanted[s])
            if (d >= begin && d < begin + count) dur[pair] = ms[d - begin] == kUnreachable ? NAN : travel[d - begin] / 1000.0;
        });
    }
    search_phase.duration_us = clock.elapsedMicros() - search_phase.start_us;
    Napi::Object result = Napi::Object::New(env);
    if (want_durations) result.Set("durations", durations);
    if (want_distances) result.Set("distances", distances);
    result.Set("locations", snapsToJs(env, *map, snaps, distinct.index_of));
    if (want_timings) result.Set("timings", timingsToJs(env, snap_phase, search_phase, distinct.coords.size() / 2, stats));
    return result;
  });
}

// The oracle: a one-to-all plain Dijkstra from every source, read at every destination.
Napi::Value referenceTable(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    PhaseClock clock;
    Phase snap_phase, search_phase;
    MapPtr map = mapArg(info, 0);
    Napi::Float64Array src = coordinatesArg(info, 1, "sources");
    Napi::Float64Array dst = coordinatesArg(info, 2, "destinations");
    const SnapArgs args = info.Length() > 3 && info[3].IsObject() ? snapArgs(info[3].As<Napi::Object>()) : SnapArgs{};
    const size_t S = src.ElementLength() / 2, T = dst.ElementLength() / 2;
    if (double(S) * double(T) > kDefaultMaxCells) fail("TooBig", "reference table too large");
    const auto a = snapAll(*map, src.Data(), S, args);
    const auto b = snapAll(*map, dst.Data(), T, args);
    Napi::Float64Array durations = Napi::Float64Array::New(env, S * T);
    Napi::Float64Array distances = Napi::Float64Array::New(env, S * T);
    ReferenceDijkstra dijkstra(map->eb.segmentCount());
    for (size_t s = 0; s < S; ++s) {
      dijkstra.run(map->eb, a[s]);
      for (size_t t = 0; t < T; ++t) {
        const auto cost = dijkstra.costTo(map->eb, b[t]);
        store(durations.Data(), distances.Data(), s * T + t, cost ? cost->first : kUnreachable, cost ? cost->second : 0);
      }
    }
    Napi::Object result = Napi::Object::New(env);
    result.Set("durations", durations);
    result.Set("distances", distances);
    return result;
  });
}

// JSON text of a row-major Float64Array: rows of numbers rounded to 0.1, NaN as null. Formats
// integer tenths directly (no general float printing), which is what keeps big matrices cheap.
Napi::Value matrixRowsJson(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    if (info.Length() < 2 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array ||
        !info[1].IsNumber())
      fail("InvalidArgument", "expected (Float64Array, columns)");
    Napi::Float64Array a = info[0].As<Napi::Float64Array>();
    const double cols_d = info[1].As<Napi::Number>().DoubleValue();
    const size_t n = a.ElementLength();
    if (!(cols_d >= 1) || cols_d != std::floor(cols_d) || n % size_t(cols_d) != 0) fail("InvalidArgument", "columns must divide the array length");
    const size_t cols = size_t(cols_d);
    std::string out;
    out.reserve(n * 8 + 16);
    out.push_back('[');
    char buf[32];
    for (size_t i = 0; i < n; ++i) {
      if (i % cols == 0) out.append(i == 0 ? "[" : "],[");
      else out.push_back(',');
      const double x = a[i];
      if (!std::isfinite(x)) {
        out.append("null");
        continue;
      }
      const long long tenths = std::llround(x * 10.0);
      const long long whole = tenths / 10, frac = std::llabs(tenths % 10);
      char* end = buf;
      if (tenths < 0 && whole == 0) *end++ = '-';
      end = std::to_chars(end, buf + sizeof(buf) - 2, whole).ptr;
      int len = static_cast<int>(end - buf);
      if (frac != 0) {
        buf[len++] = '.';
        buf[len++] = char('0' + frac);
      }
      out.append(buf, len);
    }
    if (n > 0) out.push_back(']');
    out.push_back(']');
    return Napi::String::New(env, out);
  });
}

}  // namespace

void registerMatrix(Napi::Env env, Napi::Object exports) {
  exports.Set("matrix", Napi::Function::New(env, matrix));
  exports.Set("matrixPairs", Napi::Function::New(env, matrixPairs));
  exports.Set("referenceTable", Napi::Function::New(env, referenceTable));
  exports.Set("matrixRowsJson", Napi::Function::New(env, matrixRowsJson));
}

}  // namespace waymark::js
