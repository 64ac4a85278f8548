// Customizable CH for tests and benchmarks only: customize the map's CCH topology with a metric
// given as one weight per turn, then run the ordinary CH queries on the result. (Serving traffic
// and custom models on customized metrics is the server's business, not this seam's.)
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <mutex>
#include <random>

#include "binding/js_convert.h"
#include "binding/map_handle.h"
#include "binding/query_args.h"
#include "binding/registry.h"
#include "cch/customize.h"
#include "matrix/many_to_many.h"
#include "phast/one_to_all.h"
#include "route/route.h"

namespace waymark::js {

namespace {

double processCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

double wallMs() { return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

Napi::Uint32Array uint32Option(const Napi::Object& o, const char* key) {
  if (!has(o, key) || !o.Get(key).IsTypedArray() || o.Get(key).As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array)
    fail("InvalidArgument", std::string(key) + " must be a Uint32Array");
  return o.Get(key).As<Napi::Uint32Array>();
}

unsigned threadsOption(const Napi::Object& o) {
  const double t = number(o, "threads", 0);
  if (!(t >= 0 && t <= 256) || t != std::floor(t)) fail("InvalidValue", "threads must be an integer in [0, 256]");
  return static_cast<unsigned>(t);
}

struct Customized {
  ContractionHierarchy ch;
  double wall_ms = 0, cpu_ms = 0;
};

// The map's CCH customized with options.weights (one per turn; the map's own weights if absent).
Customized customizeFromJs(const LoadedMap& map, const Napi::Object& o) {
  if (map.cch.empty()) fail("InvalidMap", "the map has no customizable contraction hierarchy");
  std::vector<uint32_t> weights(map.eb.turn_weight.begin(), map.eb.turn_weight.end());
  if (has(o, "weights")) {
    Napi::Uint32Array w = uint32Option(o, "weights");
    if (w.ElementLength() != weights.size())
      fail("InvalidValue", "weights must hold one value per turn (" + std::to_string(weights.size()) + ")");
    std::copy(w.Data(), w.Data() + w.ElementLength(), weights.begin());
  }
  CustomizeOptions options;
  options.threads = threadsOption(o);
  options.perfect = boolean(o, "perfect", false);
  // Test-only knobs that send a small map down every multi-threaded path.
  CustomizeTuning tuning;
  if (has(o, "splitLowerNeighbours")) tuning.split_min_lower_neighbours = static_cast<uint32_t>(std::clamp(number(o, "splitLowerNeighbours", 256), 1.0, 1e9));
  if (has(o, "minTaskNodes")) tuning.min_task_nodes = static_cast<uint32_t>(std::clamp(number(o, "minTaskNodes", 256), 1.0, 1e9));
  const std::vector<uint32_t> distances = turnDistancesCm(map.eb);
  Customized c;
  const double wall0 = wallMs(), cpu0 = processCpuMs();
  c.ch = customizeCCH(map.cch, weights, distances, options, tuning);
  c.wall_ms = wallMs() - wall0;
  c.cpu_ms = processCpuMs() - cpu0;
  return c;
}

Napi::Float64Array toFloat64(Napi::Env env, const std::vector<double>& v) {
  Napi::Float64Array a = Napi::Float64Array::New(env, v.size());
  std::copy(v.begin(), v.end(), a.Data());
  return a;
}

Napi::Uint32Array toUint32(Napi::Env env, const std::vector<uint32_t>& v) {
  Napi::Uint32Array a = Napi::Uint32Array::New(env, v.size());
  std::copy(v.begin(), v.end(), a.Data());
  return a;
}

// cchCheck(map, { weights?, perfect?, threads?, sources, targets, paths? }): customizes, then for
// each pair of segments (sources[i], targets[i]) the cost from the start of one to the start of the
// other on the customized metric (ms; NaN when there is no path) and on the map's own CH, and the
// unpacked segment path. For oracle tests against a plain Dijkstra with the same weights.
Napi::Value cchCheck(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    MapPtr map = mapArg(info, 0);
    Napi::Object o = objectArg(info, 1, "options");
    Napi::Uint32Array sources = uint32Option(o, "sources"), targets = uint32Option(o, "targets");
    if (sources.ElementLength() != targets.ElementLength()) fail("InvalidValue", "sources and targets must be as long");
    const uint32_t n = map->eb.segmentCount();
    for (size_t i = 0; i < sources.ElementLength(); ++i)
      if (sources[i] >= n || targets[i] >= n) fail("InvalidValue", "segment " + std::to_string(i) + " out of range");
    const bool want_paths = boolean(o, "paths", false);
    const Customized c = customizeFromJs(*map, o);
    const CHGraph custom(c.ch);
    CHQuery query(n);
    std::vector<double> durations, distances, ch_durations;
    std::vector<uint32_t> path_first{0}, path_segments;
    for (size_t i = 0; i < sources.ElementLength(); ++i) {
      const SearchEndpoint s{sources[i], 0, 0}, t{targets[i], 0, 0};
      const CHResult r = query.run(custom, std::span(&s, 1), std::span(&t, 1));
      durations.push_back(r.found ? double(r.duration_ms) : NAN);
      distances.push_back(r.found ? double(r.distance_cm) : NAN);
      if (want_paths && r.found)
        for (uint32_t seg : query.path(custom)) path_segments.push_back(seg);
      path_first.push_back(static_cast<uint32_t>(path_segments.size()));
      const CHResult d = query.run(map->ch, std::span(&s, 1), std::span(&t, 1));
      ch_durations.push_back(d.found ? double(d.duration_ms) : NAN);
    }
    Napi::Object result = Napi::Object::New(env);
    result.Set("durations", toFloat64(env, durations));
    result.Set("distances", toFloat64(env, distances));
    result.Set("chDurations", toFloat64(env, ch_durations));
    result.Set("pathFirst", toUint32(env, path_first));
    result.Set("pathSegments", toUint32(env, path_segments));
    result.Set("arcs", double(c.ch.up_head.size() + c.ch.down_head.size()));
    result.Set("customizeMs", c.wall_ms);
    return result;
  });
}

// cchTable(map, points, { perfect?, threads?, method: 'matrix' | 'phast' }): the map's own weights
// customized, then a points x points table of seconds (NaN: no path) by bucket many-to-many or by
// PHAST on the result, snapping as the table endpoint does; for comparison with referenceTable.
Napi::Value cchTable(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    MapPtr map = mapArg(info, 0);
    Napi::Float64Array points = coordinatesArg(info, 1, "points");
    Napi::Object o = objectArg(info, 2, "options");
    const std::string method = string(o, "method", "matrix");
    if (method != "matrix" && method != "phast") fail("InvalidValue", "method must be 'matrix' or 'phast'");
    const size_t count = points.ElementLength() / 2;
    if (count > 2000) fail("TooBig", "at most 2000 points");
    const auto snaps = snapAll(*map, points.Data(), count, snapArgs(o));
    const Customized c = customizeFromJs(*map, o);
    // The same map with the customized hierarchy in place of its own.
    auto custom = std::make_shared<LoadedMap>(map->file);
    custom->ch = CHGraph(c.ch);
    std::vector<double> seconds(count * count, NAN);
    auto put = [&](size_t cell, int64_t ms) { seconds[cell] = ms == kUnreachable || ms == kPhastUnreached ? NAN : ms / 1000.0; };
    if (method == "matrix") {
      ManyToManyOptions options;
      options.threads = threadsOption(o);
      manyToMany(*custom, snaps, snaps, options, [&](uint32_t s, uint32_t begin, uint32_t n, const int64_t* ms, const int64_t*) {
        for (uint32_t k = 0; k < n; ++k) put(size_t(s) * count + begin + k, ms[k]);
      });
    } else {
      Phast phast(map->eb.segmentCount());
      for (size_t s = 0; s < count; ++s) {
        runFromPoint(*custom, phast, PhastDirection::kForward, snaps[s]);
        for (size_t t = 0; t < count; ++t) put(s * count + t, costWith(*custom, phast, PhastDirection::kForward, snaps[s], snaps[t]).ms);
      }
    }
    return toFloat64(env, seconds);
  });
}

template <typename F>
std::pair<double, double> timed(F&& f) {
  const double wall0 = wallMs(), cpu0 = processCpuMs();
  f();
  return {wallMs() - wall0, processCpuMs() - cpu0};
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? NAN : v[v.size() / 2];
}

// cchBench(map, { threads: [1, 2], rounds, queries, matrixSizes, seed }): the figures of `waymark
// bench cch`, all in one run on one map: metric-independent preprocessing (rebuilt here and timed),
// customization with the map's own weights (median of rounds, wall and process CPU ms), query
// latency and matrices on the perfectly customized metric against the map's own CH.
Napi::Value cchBench(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    MapPtr map = mapArg(info, 0);
    Napi::Object o = objectArg(info, 1, "options");
    const uint32_t rounds = static_cast<uint32_t>(std::clamp(number(o, "rounds", 3), 1.0, 50.0));
    const uint32_t queries = static_cast<uint32_t>(std::clamp(number(o, "queries", 10000), 1.0, 1e6));
    const uint64_t seed = static_cast<uint64_t>(number(o, "seed", 1));
    std::vector<unsigned> thread_counts;
    if (has(o, "threads")) {
      Napi::Array a = o.Get("threads").As<Napi::Array>();
      for (uint32_t i = 0; i < a.Length(); ++i) thread_counts.push_back(static_cast<unsigned>(std::clamp(a.Get(i).ToNumber().DoubleValue(), 1.0, 256.0)));
    } else {
      thread_counts = {1, 2};
    }
    std::vector<uint32_t> sizes;
    if (has(o, "matrixSizes")) {
      Napi::Array a = o.Get("matrixSizes").As<Napi::Array>();
      for (uint32_t i = 0; i < a.Length(); ++i) sizes.push_back(static_cast<uint32_t>(std::clamp(a.Get(i).ToNumber().DoubleValue(), 1.0, 20000.0)));
    }
    if (map->cch.empty()) fail("InvalidMap", "the map has no customizable contraction hierarchy");
    Napi::Object result = Napi::Object::New(env);

    Napi::Object topology = Napi::Object::New(env);
    if (boolean(o, "preprocess", true)) {
      CCHTopologyData rebuilt;
      const auto [wall, cpu] = timed([&] { rebuilt = buildCCHTopology(map->eb, map->road, CCHBuildOptions{}); });
      topology.Set("buildMs", wall);
      topology.Set("buildCpuMs", cpu);
      topology.Set("sameAsMap", rebuilt.up_head.size() == map->cch.up_head.size());
    }
    topology.Set("nodes", double(map->cch.nodeCount()));
    topology.Set("arcs", double(map->cch.arcCount()));
    topology.Set("bytes", double(topologyBytes(map->cch)));
    topology.Set("treeHeight", double(eliminationTreeHeight(map->cch)));
    topology.Set("chArcs", double(map->ch.arcCount()));
    result.Set("topology", topology);

    const std::vector<uint32_t> distances = turnDistancesCm(map->eb);
    Napi::Array customizations = Napi::Array::New(env);
    ContractionHierarchy basic, perfect;
    for (bool is_perfect : {false, true})
      for (unsigned threads : thread_counts) {
        std::vector<double> walls, cpus;
        ContractionHierarchy ch;
        for (uint32_t r = 0; r < rounds; ++r) {
          const auto [wall, cpu] = timed([&] { ch = customizeCCH(map->cch, map->eb.turn_weight, distances, CustomizeOptions{threads, is_perfect}); });
          walls.push_back(wall);
          cpus.push_back(cpu);
        }
        Napi::Object c = Napi::Object::New(env);
        c.Set("threads", double(threads));
        c.Set("perfect", is_perfect);
        c.Set("wallMs", median(walls));
        c.Set("cpuMs", median(cpus));
        c.Set("arcs", double(ch.up_head.size() + ch.down_head.size()));
        customizations.Set(customizations.Length(), c);
        (is_perfect ? perfect : basic) = std::move(ch);
      }
    result.Set("customize", customizations);

    // Point-to-point: random pairs of snappable segments, start to start.
    std::vector<uint32_t> snappable;
    for (uint32_t s = 0; s < map->eb.segmentCount(); ++s)
      if (map->eb.snappable(s)) snappable.push_back(s);
    if (snappable.empty()) fail("NoSegment", "the map has no snappable segments");
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<size_t> pick(0, snappable.size() - 1);
    std::vector<std::pair<uint32_t, uint32_t>> pairs(queries);
    for (auto& p : pairs) p = {snappable[pick(rng)], snappable[pick(rng)]};
    const CHGraph basic_graph(basic), perfect_graph(perfect);
    CHQuery query(map->eb.segmentCount());
    Napi::Object latency = Napi::Object::New(env);
    std::vector<int64_t> reference;
    for (const auto& [name, graph] : {std::pair<const char*, const CHGraph*>{"ch", &map->ch}, {"cchBasic", &basic_graph}, {"cchPerfect", &perfect_graph}}) {
      std::vector<double> micros;
      uint32_t mismatches = 0;
      for (size_t i = 0; i < pairs.size(); ++i) {
        const SearchEndpoint s{pairs[i].first, 0, 0}, t{pairs[i].second, 0, 0};
        const auto start = std::chrono::steady_clock::now();
        const CHResult r = query.run(*graph, std::span(&s, 1), std::span(&t, 1));
        micros.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
        const int64_t ms = r.found ? r.duration_ms : -1;
        if (graph == &map->ch) reference.push_back(ms);
        else mismatches += reference[i] != ms;
      }
      Napi::Object l = Napi::Object::New(env);
      l.Set("p50Us", median(micros));
      l.Set("mismatches", double(mismatches));
      latency.Set(name, l);
    }
    result.Set("query", latency);

    // Matrices: random snapped road points, the map's CH against the perfect metric.
    auto custom = std::make_shared<LoadedMap>(map->file);
    custom->ch = perfect_graph;
    Napi::Array matrices = Napi::Array::New(env);
    for (uint32_t size : sizes) {
      std::vector<SnapResult> snaps;
      std::uniform_real_distribution<double> frac(0.0, 1.0);
      std::vector<double> pt;
      while (snaps.size() < size) {
        const uint32_t s = snappable[pick(rng)];
        const uint32_t edge_dir = map->eb.segment_edge_dir[s];
        pt.clear();
        const double f = frac(rng);
        appendEdgeGeometry(map->road, edge_dir / 2, 0, f, f, pt);
        const auto snapped = snapAll(*map, pt.data(), 1, SnapArgs{});
        snaps.push_back(snapped[0]);
      }
      Napi::Object m = Napi::Object::New(env);
      m.Set("size", double(size));
      std::vector<int64_t> sums(2, 0);
      int k = 0;
      for (const auto& [name, graph_map] : {std::pair<const char*, const LoadedMap*>{"ch", map.get()}, {"cchPerfect", custom.get()}}) {
        int64_t& sum = sums[k++];
        std::mutex sum_mutex;
        const auto [wall, cpu] = timed([&] {
          manyToMany(*graph_map, snaps, snaps, ManyToManyOptions{}, [&](uint32_t, uint32_t, uint32_t n, const int64_t* ms, const int64_t*) {
            int64_t local = 0;
            for (uint32_t j = 0; j < n; ++j) local += ms[j] == kUnreachable ? 0 : ms[j];
            std::lock_guard<std::mutex> lock(sum_mutex);
            sum += local;
          });
        });
        Napi::Object t = Napi::Object::New(env);
        t.Set("wallMs", wall);
        t.Set("cpuMs", cpu);
        m.Set(name, t);
      }
      m.Set("sameSum", sums[0] == sums[1]);
      matrices.Set(matrices.Length(), m);
    }
    result.Set("matrix", matrices);
    return result;
  });
}

// resealMapFile(path): recomputes a map file's checksum in place. Tests only: lets a test edit a
// section and check that the structural validation (not the checksum) refuses it.
Napi::Value resealMapFile(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    const std::string path = stringArg(info, 0, "path");
    std::FILE* f = std::fopen(path.c_str(), "r+b");
    if (!f) fail("MapNotFound", "cannot open " + path);
    std::vector<uint8_t> bytes;
    uint8_t buffer[1 << 16];
    for (size_t got; (got = std::fread(buffer, 1, sizeof(buffer), f)) > 0;) bytes.insert(bytes.end(), buffer, buffer + got);
    bool ok = bytes.size() >= sizeof(MapHeader);
    if (ok) {
      const uint64_t sum = mapChecksum(bytes.data(), bytes.size());
      ok = std::fseek(f, offsetof(MapHeader, checksum), SEEK_SET) == 0 && std::fwrite(&sum, sizeof(sum), 1, f) == 1;
    }
    ok = std::fclose(f) == 0 && ok;
    if (!ok) fail("OutputNotWritable", "cannot reseal " + path);
    return env.Undefined();
  });
}

}  // namespace

void registerCCH(Napi::Env env, Napi::Object exports) {
  exports.Set("cchCheck", Napi::Function::New(env, cchCheck));
  exports.Set("cchTable", Napi::Function::New(env, cchTable));
  exports.Set("cchBench", Napi::Function::New(env, cchBench));
  exports.Set("resealMapFile", Napi::Function::New(env, resealMapFile));
}

}  // namespace waymark::js
