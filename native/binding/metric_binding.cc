// Metrics (native/metric/): a metric handle is a map handle whose queries run on other weights, so
// every query binding takes either. metricOf builds (or finds) one per distinct description and
// base, process-wide: the worker threads of a server share each customized metric.
#include <atomic>
#include <chrono>
#include <cmath>
#include <future>
#include <list>
#include <map>
#include <mutex>

#include "binding/js_convert.h"
#include "binding/map_handle.h"
#include "binding/registry.h"
#include "metric/exclude.h"
#include "metric/metric.h"
#include "metric/metric_file.h"
#include "metric/speed_model.h"
#include "metric/traffic.h"

namespace waymark::js {

namespace {

Napi::Value handleOf(Napi::Env env, MapPtr map) {
  auto* holder = new MapPtr(std::move(map));
  return Napi::External<MapPtr>::New(env, holder, [](Napi::Env, MapPtr* p) { delete p; });
}

std::string baseKey(const LoadedMap& base) {
  char checksum[17];
  std::snprintf(checksum, sizeof(checksum), "%016llx", static_cast<unsigned long long>(base.file->header().checksum));
  return std::string(checksum) + (base.metric ? "|" + base.metric->key : "");
}

// Built metrics by base and description, most recently used first, bounded; a build in progress is
// shared by every thread asking for the same metric meanwhile (each is customized once).
struct MetricCache {
  std::mutex mutex;
  size_t capacity = 32;
  std::list<std::pair<std::string, MapPtr>> lru;
  std::map<std::string, std::shared_future<MapPtr>> building;
  std::map<std::string, MapPtr> pinned;  // live-traffic metrics the server installed, until it drops them
  uint64_t hits = 0, misses = 0;
};
MetricCache& cache() {
  static MetricCache c;
  return c;
}

// A built metric (moved to the front of the LRU), or one another thread is building (waited for,
// with `lock` released; rethrows the builder's error), or null. Called with `lock` held on c.mutex.
MapPtr cachedOrPending(MetricCache& c, const std::string& key, std::unique_lock<std::mutex>& lock) {
  for (auto it = c.lru.begin(); it != c.lru.end(); ++it)
    if (it->first == key) {
      c.lru.splice(c.lru.begin(), c.lru, it);
      ++c.hits;
      return c.lru.front().second;
    }
  if (auto it = c.building.find(key); it != c.building.end()) {
    std::shared_future<MapPtr> pending = it->second;
    ++c.hits;
    lock.unlock();
    return pending.get();
  }
  return nullptr;
}

Napi::Float64Array doublesArg(const Napi::Object& o, const char* key, size_t size) {
  Napi::Value v = o.Get(key);
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    fail("InvalidArgument", std::string(key) + " must be a Float64Array");
  Napi::Float64Array a = v.As<Napi::Float64Array>();
  if (a.ElementLength() != size) fail("InvalidArgument", std::string(key) + " must hold one value per edge");
  return a;
}

// metricOf(map, key, spec): the metric `key` of `map` (a map or metric handle), built from spec on
// first use. spec: { exclude?: string[], speedFactor?, speedLimit?, priority? (Float64Array per
// edge), distanceInfluence?: s/km }. The key must describe the spec exactly (callers use a
// canonical form).
Napi::Value metricOf(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    MapPtr base = mapArg(info, 0);
    const std::string key = stringArg(info, 1, "metric key");
    const std::string full = baseKey(*base) + "|" + key;
    MetricCache& c = cache();
    if (info.Length() < 3 || info[2].IsUndefined()) {
      // Look-up only: the metric if built (or being built), else null.
      std::unique_lock<std::mutex> lock(c.mutex);
      if (auto it = c.pinned.find(full); it != c.pinned.end()) return handleOf(env, it->second);
      if (key == "traffic:latest") {
        // The newest live-traffic metric installed for this map (long-queued work uses the current traffic).
        const std::string prefix = baseKey(*base) + "|traffic:";
        MapPtr latest;
        for (const auto& [k, m] : c.pinned)
          if (k.rfind(prefix, 0) == 0 && (!latest || m->metric->version > latest->metric->version)) latest = m;
        return latest ? handleOf(env, latest) : env.Null();
      }
      MapPtr found = cachedOrPending(c, full, lock);
      return found ? handleOf(env, found) : env.Null();
    }
    Napi::Object spec = objectArg(info, 2, "metric spec");
    uint8_t classes = 0;
    for (const std::string& c : strings(spec, "exclude")) classes |= excludeClassOf(c);
    const bool model = has(spec, "speedFactor");
    std::vector<double> factor, limit, priority;
    double influence = 0;
    if (model) {
      const size_t edges = base->road.edgeCount();
      Napi::Float64Array f = doublesArg(spec, "speedFactor", edges), l = doublesArg(spec, "speedLimit", edges),
                         p = doublesArg(spec, "priority", edges);
      factor.assign(f.Data(), f.Data() + edges);
      limit.assign(l.Data(), l.Data() + edges);
      priority.assign(p.Data(), p.Data() + edges);
      influence = number(spec, "distanceInfluence", 0);
    }
    if (!model && classes == 0) fail("InvalidArgument", "a metric spec needs exclude classes or a speed model");
    std::promise<MapPtr> promise;
    {
      // Checked again under the lock right before building: another thread may have built or
      // started it since the spec was read.
      std::unique_lock<std::mutex> lock(c.mutex);
      if (MapPtr found = cachedOrPending(c, full, lock)) return handleOf(env, found);
      ++c.misses;
      c.building.emplace(full, promise.get_future().share());
    }
    try {
      MetricWeights w = weightsOf(*base);
      if (classes) applyExclude(*base, w, classes);
      if (model) applySpeedModel(*base, w, SpeedModel{factor, limit, priority, influence});
      const std::string metric_key = (base->metric ? base->metric->key + "|" : "") + key;
      MapPtr built = buildMetric(*base, std::move(w), metric_key, base->metric ? base->metric->version : 0);
      promise.set_value(built);
      std::lock_guard<std::mutex> lock(c.mutex);
      c.building.erase(full);
      c.lru.emplace_front(full, built);
      while (c.lru.size() > c.capacity) c.lru.pop_back();
      return handleOf(env, built);
    } catch (...) {
      promise.set_exception(std::current_exception());
      std::lock_guard<std::mutex> lock(c.mutex);
      c.building.erase(full);
      throw;
    }
  });
}

// What a handle is: the map's own weights (null), or a metric's key, version and customization time.
Napi::Value metricInfo(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    MapPtr map = mapArg(info, 0);
    if (!map->metric) return env.Null();
    Napi::Object o = Napi::Object::New(env);
    o.Set("key", map->metric->key);
    o.Set("version", double(map->metric->version));
    o.Set("customizeMs", map->metric->customize_ms);
    o.Set("weightIsTravelTime", map->weight_is_travel_time);
    return o;
  });
}

// metricCache(capacity?): sets the bound when given; returns the cache's counters.
Napi::Value metricCache(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    MetricCache& c = cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    if (info.Length() > 0 && info[0].IsNumber()) {
      const double n = info[0].As<Napi::Number>().DoubleValue();
      if (!(n >= 1 && n <= 100000) || n != std::floor(n)) fail("InvalidValue", "the metric cache size must be an integer in [1, 100000]");
      c.capacity = size_t(n);
      while (c.lru.size() > c.capacity) c.lru.pop_back();
    }
    Napi::Object o = Napi::Object::New(env);
    o.Set("entries", double(c.lru.size()));
    o.Set("capacity", double(c.capacity));
    o.Set("hits", double(c.hits));
    o.Set("misses", double(c.misses));
    return o;
  });
}

// --- live traffic ---------------------------------------------------------------------------

struct TrafficSession {
  MapPtr base;
  std::unique_ptr<TrafficUpdate> update;
  std::atomic<bool> busy{false};
  bool finished = false;
};
using TrafficPtr = std::shared_ptr<TrafficSession>;

TrafficPtr trafficArg(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsExternal()) fail("InvalidArgument", "expected a traffic update handle");
  TrafficPtr t = *info[0].As<Napi::External<TrafficPtr>>().Data();
  if (t->finished) fail("InvalidArgument", "this traffic update has finished");
  if (t->busy) fail("InvalidArgument", "this traffic update is busy finishing");
  return t;
}

Napi::Object trafficStatsToJs(Napi::Env env, const TrafficStats& s) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("lines", double(s.lines));
  o.Set("speedLines", double(s.speed_lines));
  o.Set("turnLines", double(s.turn_lines));
  o.Set("unknownSegments", double(s.unknown_segments));
  o.Set("unknownTurns", double(s.unknown_turns));
  o.Set("osmSegments", double(s.osm_segments));
  o.Set("osmSegmentsSet", double(s.osm_segments_set));
  o.Set("roadSegmentsChanged", double(s.road_segments_changed));
  o.Set("closedSegments", double(s.closed_segments));
  o.Set("turnsChanged", double(s.turns_changed));
  return o;
}

// trafficCreate(map): a traffic update of a map's own weights (every update starts from them).
Napi::Value trafficCreate(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    MapPtr base = mapArg(info, 0);
    if (base->metric) fail("InvalidArgument", "traffic updates start from a map's own weights, not from a metric");
    auto session = std::make_shared<TrafficSession>();
    session->base = base;
    session->update = std::make_unique<TrafficUpdate>(*base);
    auto* holder = new TrafficPtr(std::move(session));
    return Napi::External<TrafficPtr>::New(env, holder, [](Napi::Env, TrafficPtr* p) { delete p; });
  });
}

// trafficPush(update, bytes): parses the complete lines (InvalidTrafficFile names the bad line).
Napi::Value trafficPush(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    TrafficPtr t = trafficArg(info);
    if (info.Length() < 2 || !info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
      fail("InvalidArgument", "expected a Uint8Array chunk");
    Napi::Uint8Array chunk = info[1].As<Napi::Uint8Array>();
    try {
      t->update->push(reinterpret_cast<const char*>(chunk.Data()), chunk.ElementLength());
    } catch (...) {
      t->finished = true;  // a refused file cannot be continued
      throw;
    }
    return trafficStatsToJs(env, t->update->stats());
  });
}

class TrafficFinishWorker : public Napi::AsyncWorker {
 public:
  TrafficFinishWorker(Napi::Env env, TrafficPtr t, uint64_t version)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), session_(std::move(t)), version_(version) {}
  Napi::Promise promise() { return deferred_.Promise(); }
  void Execute() override {
    try {
      MetricWeights w = session_->update->finish();
      metric_ = buildMetric(*session_->base, std::move(w), "traffic:" + std::to_string(version_), version_);
    } catch (const Error& e) {
      code_ = e.code();
      SetError(e.what());
    } catch (const std::exception& e) {
      code_ = "Internal";
      SetError(e.what());
    }
  }
  void OnOK() override {
    Napi::Env env = Env();
    session_->finished = true;
    session_->busy = false;
    {
      MetricCache& c = cache();
      std::lock_guard<std::mutex> lock(c.mutex);
      c.pinned[baseKey(*session_->base) + "|traffic:" + std::to_string(version_)] = metric_;
    }
    Napi::Object o = Napi::Object::New(env);
    o.Set("metric", handleOf(env, metric_));
    o.Set("stats", trafficStatsToJs(env, session_->update->stats()));
    o.Set("customizeMs", metric_->metric->customize_ms);
    deferred_.Resolve(o);
  }
  void OnError(const Napi::Error& e) override {
    session_->finished = true;
    session_->busy = false;
    deferred_.Reject(makeError(Env(), code_.empty() ? "Internal" : code_, e.Message()).Value());
  }

 private:
  Napi::Promise::Deferred deferred_;
  TrafficPtr session_;
  uint64_t version_;
  MapPtr metric_;
  std::string code_;
};

// trafficFinish(update, version): customizes on a background thread; resolves { metric, stats,
// customizeMs } with the metric installed process-wide as "traffic:<version>" of the map (every
// worker thread finds it) until metricUnpin.
Napi::Value trafficFinish(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    TrafficPtr t = trafficArg(info);
    if (info.Length() < 2 || !info[1].IsNumber()) fail("InvalidArgument", "expected a version number");
    const double v = info[1].As<Napi::Number>().DoubleValue();
    if (!(v >= 1 && v <= 9e15) || v != std::floor(v)) fail("InvalidValue", "the traffic version must be a positive integer");
    t->busy = true;
    auto* worker = new TrafficFinishWorker(env, t, uint64_t(v));
    Napi::Promise p = worker->promise();
    worker->Queue();
    return p;
  });
}

// --- metric files ----------------------------------------------------------------------------

TrafficStats trafficStatsFromJs(const Napi::Object& o) {
  auto count = [&](const char* key) {
    const double v = number(o, key, 0);
    if (!(v >= 0 && v <= 9e18) || v != std::floor(v)) fail("InvalidArgument", std::string("stats.") + key + " must be a count");
    return uint64_t(v);
  };
  TrafficStats s;
  s.lines = count("lines");
  s.speed_lines = count("speedLines");
  s.turn_lines = count("turnLines");
  s.unknown_segments = count("unknownSegments");
  s.unknown_turns = count("unknownTurns");
  s.osm_segments = count("osmSegments");
  s.osm_segments_set = count("osmSegmentsSet");
  s.road_segments_changed = count("roadSegmentsChanged");
  s.closed_segments = count("closedSegments");
  s.turns_changed = count("turnsChanged");
  return s;
}

// metricWrite(metric, path, { stats, version, createdAtMs }): writes a metric handle to a metric
// file (native/metric/metric_file.h); returns { bytes, writeMs }.
Napi::Value metricWrite(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    MapPtr metric = mapArg(info, 0);
    const std::string path = stringArg(info, 1, "metric file path");
    Napi::Object o = objectArg(info, 2, "metric file info");
    MetricFileInfo fi;
    if (has(o, "stats")) {
      if (!o.Get("stats").IsObject()) fail("InvalidArgument", "stats must be an object");
      fi.stats = trafficStatsFromJs(o.Get("stats").As<Napi::Object>());
    }
    const double version = number(o, "version", 1), created = number(o, "createdAtMs", 0);
    if (!(version >= 0 && version <= 9e15) || version != std::floor(version)) fail("InvalidValue", "the traffic version must be an integer >= 0");
    if (!std::isfinite(created) || std::fabs(created) > 9e15) fail("InvalidValue", "createdAtMs must be a time in ms");
    fi.traffic_version = uint64_t(version);
    fi.created_unix_ms = int64_t(created);
    const auto t0 = std::chrono::steady_clock::now();
    const uint64_t bytes = writeMetricFile(path, *metric, fi);
    Napi::Object r = Napi::Object::New(env);
    r.Set("bytes", double(bytes));
    r.Set("writeMs", std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    return r;
  });
}

class MetricLoadWorker : public Napi::AsyncWorker {
 public:
  MetricLoadWorker(Napi::Env env, MapPtr base, std::string path, uint64_t version)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), base_(std::move(base)), path_(std::move(path)), version_(version) {}
  Napi::Promise promise() { return deferred_.Promise(); }
  void Execute() override {
    try {
      loaded_ = loadMetricFile(path_, *base_, "traffic:" + std::to_string(version_), version_);
    } catch (const Error& e) {
      code_ = e.code();
      SetError(e.what());
    } catch (const std::bad_alloc&) {
      code_ = "MetricCorrupt";
      SetError(path_ + ": sections larger than memory");
    } catch (const std::exception& e) {
      code_ = "Internal";
      SetError(e.what());
    }
  }
  void OnOK() override {
    Napi::Env env = Env();
    {
      MetricCache& c = cache();
      std::lock_guard<std::mutex> lock(c.mutex);
      c.pinned[baseKey(*base_) + "|traffic:" + std::to_string(version_)] = loaded_.view;
    }
    Napi::Object o = Napi::Object::New(env);
    o.Set("metric", handleOf(env, loaded_.view));
    o.Set("stats", trafficStatsToJs(env, loaded_.info.stats));
    o.Set("trafficVersion", double(loaded_.info.traffic_version));
    o.Set("createdAtMs", double(loaded_.info.created_unix_ms));
    o.Set("customizeMs", loaded_.view->metric->customize_ms);
    o.Set("loadMs", loaded_.load_ms);
    o.Set("bytes", double(loaded_.bytes));
    deferred_.Resolve(o);
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(makeError(Env(), code_.empty() ? "Internal" : code_, e.Message()).Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  MapPtr base_;
  std::string path_;
  uint64_t version_;
  LoadedMetricFile loaded_;
  std::string code_;
};

// metricLoad(map, path, version): reads and validates a metric file on a background thread (no
// customization); resolves { metric, stats, trafficVersion, createdAtMs, customizeMs, loadMs, bytes }
// with the metric installed as "traffic:<version>" of the map, as trafficFinish does.
Napi::Value metricLoad(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    MapPtr base = mapArg(info, 0);
    if (base->metric) fail("InvalidArgument", "a metric file is loaded onto a map's own weights, not onto a metric");
    const std::string path = stringArg(info, 1, "metric file path");
    if (info.Length() < 3 || !info[2].IsNumber()) fail("InvalidArgument", "expected a version number");
    const double v = info[2].As<Napi::Number>().DoubleValue();
    if (!(v >= 1 && v <= 9e15) || v != std::floor(v)) fail("InvalidValue", "the traffic version must be a positive integer");
    auto* worker = new MetricLoadWorker(env, base, path, uint64_t(v));
    Napi::Promise p = worker->promise();
    worker->Queue();
    return p;
  });
}

// metricUnpin(map, key): drops an installed metric (requests holding it finish on it).
Napi::Value metricUnpin(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    MapPtr base = mapArg(info, 0);
    const std::string full = baseKey(*base) + "|" + stringArg(info, 1, "metric key");
    MetricCache& c = cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    const bool removed = c.pinned.erase(full) > 0;
    // Metrics derived from it (exclusions, models on top of this traffic) go too.
    c.lru.remove_if([&](const auto& entry) { return entry.first.rfind(full + "|", 0) == 0; });
    return Napi::Boolean::New(env, removed);
  });
}

}  // namespace

void registerMetric(Napi::Env env, Napi::Object exports) {
  exports.Set("metricOf", Napi::Function::New(env, metricOf));
  exports.Set("metricInfo", Napi::Function::New(env, metricInfo));
  exports.Set("metricCache", Napi::Function::New(env, metricCache));
  exports.Set("metricUnpin", Napi::Function::New(env, metricUnpin));
  exports.Set("trafficCreate", Napi::Function::New(env, trafficCreate));
  exports.Set("trafficPush", Napi::Function::New(env, trafficPush));
  exports.Set("trafficFinish", Napi::Function::New(env, trafficFinish));
  exports.Set("metricWrite", Napi::Function::New(env, metricWrite));
  exports.Set("metricLoad", Napi::Function::New(env, metricLoad));
}

}  // namespace waymark::js
