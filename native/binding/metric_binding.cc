// Metrics (native/metric/): a metric handle is a map handle whose queries run on other weights, so
// every query binding takes either. metricOf builds (or finds) one per distinct description and
// base, process-wide: the worker threads of a server share each customized metric.
#include <chrono>
#include <future>
#include <list>
#include <map>
#include <mutex>

#include "binding/js_convert.h"
#include "binding/map_handle.h"
#include "binding/registry.h"
#include "metric/exclude.h"
#include "metric/metric.h"
#include "metric/speed_model.h"

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
      for (auto it = c.lru.begin(); it != c.lru.end(); ++it)
        if (it->first == full) {
          c.lru.splice(c.lru.begin(), c.lru, it);
          ++c.hits;
          return handleOf(env, c.lru.front().second);
        }
      if (auto it = c.building.find(full); it != c.building.end()) {
        std::shared_future<MapPtr> pending = it->second;
        ++c.hits;
        lock.unlock();
        return handleOf(env, pending.get());
      }
      return env.Null();
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
    if (classes & kExcludeUnpaved) edgeExcluded(base->road, 0, kExcludeUnpaved);  // refuses early when the map cannot
    std::promise<MapPtr> promise;
    {
      std::unique_lock<std::mutex> lock(c.mutex);
      for (auto it = c.lru.begin(); it != c.lru.end(); ++it)
        if (it->first == full) {
          c.lru.splice(c.lru.begin(), c.lru, it);
          ++c.hits;
          return handleOf(env, c.lru.front().second);
        }
      if (auto it = c.building.find(full); it != c.building.end()) {
        std::shared_future<MapPtr> pending = it->second;
        ++c.hits;
        lock.unlock();
        return handleOf(env, pending.get());  // rethrows the builder's error
      }
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

}  // namespace

void registerMetric(Napi::Env env, Napi::Object exports) {
  exports.Set("metricOf", Napi::Function::New(env, metricOf));
  exports.Set("metricInfo", Napi::Function::New(env, metricInfo));
  exports.Set("metricCache", Napi::Function::New(env, metricCache));
}

}  // namespace waymark::js
