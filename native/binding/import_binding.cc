// Import session: OPL chunks are pushed from the osmium child process's stdout; finish() builds and
// writes the map on a background thread, reporting progress to a JS callback.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>
#include <mutex>

#include "binding/js_convert.h"
#include "binding/profile_from_js.h"
#include "binding/registry.h"
#include "common/geo.h"
#include "osm/opl_reader.h"
#include "osm/osm_collector.h"
#include "pipeline/build_map.h"

namespace waymark::js {

namespace {

struct ImportSession {
  explicit ImportSession(Profile profile) : collector(std::move(profile)), reader(collector) {}
  OsmCollector collector;
  OplReader reader;
  std::atomic<bool> busy{false};
  bool finished = false;
};

using SessionPtr = std::shared_ptr<ImportSession>;

SessionPtr sessionArg(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsExternal()) fail("InvalidArgument", "expected an importer handle");
  SessionPtr s = *info[0].As<Napi::External<SessionPtr>>().Data();
  if (s->finished) fail("InvalidArgument", "this importer has already finished");
  if (s->busy) fail("InvalidArgument", "this importer is busy finishing");
  return s;
}

Napi::Object statsToJs(Napi::Env env, const ImportStats& s) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("osmNodes", double(s.osm_nodes));
  o.Set("osmWays", double(s.osm_ways));
  o.Set("osmRelations", double(s.osm_relations));
  o.Set("routableWays", double(s.routable_ways));
  o.Set("missingNodeRefs", double(s.missing_node_refs));
  o.Set("restrictionsRead", double(s.restrictions_read));
  const RestrictionSkipCounts& k = s.restrictions_skipped;
  o.Set("restrictionsOnRed", double(k.on_red));
  o.Set("restrictionsConditional", double(k.conditional));
  o.Set("restrictionsExcepted", double(k.excepted));
  o.Set("restrictionsOtherVehicle", double(k.other_vehicle));
  o.Set("restrictionsUnknownValue", double(k.unknown_value));
  o.Set("restrictionsIncomplete", double(k.incomplete));
  return o;
}

struct ProgressEvent {
  const char* step;
  uint64_t done;
  uint64_t total;
};

class FinishWorker : public Napi::AsyncProgressQueueWorker<ProgressEvent> {
 public:
  FinishWorker(Napi::Env env, Napi::Function noop, Napi::Function on_progress, SessionPtr session, BuildMapOptions options)
      : Napi::AsyncProgressQueueWorker<ProgressEvent>(noop),
        deferred_(Napi::Promise::Deferred::New(env)),
        session_(std::move(session)),
        options_(std::move(options)) {
    if (!on_progress.IsEmpty()) on_progress_ = Napi::Persistent(on_progress);
  }
  Napi::Promise promise() { return deferred_.Promise(); }

  void Execute(const ExecutionProgress& progress) override {
    try {
      session_->reader.finish();
      const char* last_step = nullptr;
      uint64_t last_permille = ~0ULL;
      summary_ = buildMap(session_->collector, options_, [&](const char* step, uint64_t done, uint64_t total) {
        // Forward at most one event per 0.1% per step, so the JS side is never flooded.
        const uint64_t permille = total ? done * 1000 / total : 0;
        if (step == last_step && permille == last_permille) return;
        last_step = step;
        last_permille = permille;
        ProgressEvent ev{step, done, total};
        progress.Send(&ev, 1);
      });
    } catch (const Error& e) {
      code_ = e.code();
      SetError(e.what());
    } catch (const std::bad_alloc&) {
      code_ = "OutOfMemory";
      SetError("out of memory while building the map");
    } catch (const std::exception& e) {
      code_ = "Internal";
      SetError(e.what());
    }
    // The OSM data is no longer needed, whatever happened.
    session_->finished = true;
    session_->collector = OsmCollector(Profile{});
  }

  void OnProgress(const ProgressEvent* events, size_t count) override {
    if (on_progress_.IsEmpty()) return;
    Napi::HandleScope scope(Env());
    for (size_t i = 0; i < count; ++i) {
      on_progress_.Call({Napi::String::New(Env(), events[i].step), Napi::Number::New(Env(), double(events[i].done)),
                         Napi::Number::New(Env(), double(events[i].total))});
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::Object o = Napi::Object::New(env);
    o.Set("import", statsToJs(env, summary_.import));
    Napi::Object g = Napi::Object::New(env);
    g.Set("osmNodesUsed", double(summary_.graph.osm_nodes_used));
    g.Set("edgesBeforeCompression", double(summary_.graph.edges_before_compression));
    g.Set("edgesAfterCompression", double(summary_.graph.edges_after_compression));
    g.Set("nodesDroppedOutsideLargestComponent", double(summary_.graph.nodes_dropped_outside_largest_component));
    g.Set("edgesDroppedOutsideLargestComponent", double(summary_.graph.edges_dropped_outside_largest_component));
    g.Set("restrictionsMapped", double(summary_.graph.restrictions_mapped));
    g.Set("restrictionsApplied", double(summary_.graph.restrictions_applied));
    g.Set("restrictionsUnmapped", double(summary_.graph.restrictions_unmapped));
    g.Set("restrictionsAmbiguous", double(summary_.graph.restrictions_ambiguous));
    g.Set("restrictionsDisconnected", double(summary_.graph.restrictions_disconnected));
    g.Set("viaWayRestrictions", double(summary_.graph.via_way_restrictions));
    o.Set("graph", g);
    o.Set("nodes", double(summary_.nodes));
    o.Set("edges", double(summary_.edges));
    o.Set("restrictions", double(summary_.restrictions));
    o.Set("fileBytes", double(summary_.file_bytes));
    o.Set("segments", double(summary_.segments));
    o.Set("turns", double(summary_.turns));
    o.Set("chArcs", double(summary_.ch_arcs));
    o.Set("secondsGraph", summary_.seconds_graph);
    o.Set("secondsEdgeBased", summary_.seconds_edge_based);
    o.Set("secondsContraction", summary_.seconds_contraction);
    o.Set("cpuSecondsContraction", summary_.cpu_seconds_contraction);
    o.Set("chShortcuts", double(summary_.ch_shortcuts));
    {
      const ContractionStats& c = summary_.contraction;
      Napi::Object p = Napi::Object::New(Env());
      p.Set("rounds", double(c.rounds));
      p.Set("priorityUpdates", double(c.priority_updates));
      p.Set("secondsInitialPriorities", c.seconds_initial_priorities);
      p.Set("secondsSelect", c.seconds_select);
      p.Set("secondsWitness", c.seconds_witness);
      p.Set("secondsApply", c.seconds_apply);
      p.Set("secondsPriorityUpdates", c.seconds_priority_updates);
      p.Set("secondsFinish", c.seconds_finish);
      o.Set("contractionPhases", p);
    }
    o.Set("secondsCch", summary_.seconds_cch);
    o.Set("cchArcs", double(summary_.cch_arcs));
    o.Set("secondsSnapIndex", summary_.seconds_snap_index);
    o.Set("secondsWrite", summary_.seconds_write);
    session_->busy = false;
    deferred_.Resolve(o);
  }

  void OnError(const Napi::Error& e) override {
    session_->busy = false;
    deferred_.Reject(makeError(Env(), code_, e.Message()).Value());
  }

 private:
  Napi::Promise::Deferred deferred_;
  Napi::FunctionReference on_progress_;
  SessionPtr session_;
  BuildMapOptions options_;
  BuildMapSummary summary_;
  std::string code_ = "Internal";
};

Napi::Value createImporter(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    Profile profile = profileFromJs(objectArg(info, 0, "profile"));
    auto* holder = new SessionPtr(std::make_shared<ImportSession>(std::move(profile)));
    return Napi::External<SessionPtr>::New(env, holder, [](Napi::Env, SessionPtr* p) { delete p; });
  });
}

Napi::Value importerPush(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    SessionPtr s = sessionArg(info);
    if (info.Length() < 2 || !info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
      fail("InvalidArgument", "chunk must be a Uint8Array or Buffer");
    Napi::Uint8Array chunk = info[1].As<Napi::Uint8Array>();
    s->reader.push(reinterpret_cast<const char*>(chunk.Data()), chunk.ByteLength());
    return env.Undefined();
  });
}

Napi::Value importerStats(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    SessionPtr s = sessionArg(info);
    Napi::Object o = statsToJs(env, s->collector.stats);
    o.Set("bytes", double(s->reader.bytes()));
    o.Set("lines", double(s->reader.lines()));
    return o;
  });
}

// Up to `count` locations of way nodes read so far, evenly spread over them (lon, lat pairs): where
// the extract lies, e.g. to tell its driving side.
Napi::Value importerSample(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    SessionPtr s = sessionArg(info);
    if (info.Length() < 2 || !info[1].IsNumber()) fail("InvalidArgument", "count must be a number");
    const double count = info[1].As<Napi::Number>().DoubleValue();
    if (!(count >= 0 && count <= 1e6) || count != std::floor(count)) fail("InvalidValue", "count must be an integer in [0, 1000000]");
    const size_t n = s->collector.ref_lon.size();
    const size_t k = std::min(n, size_t(count));
    Napi::Float64Array out = Napi::Float64Array::New(env, 2 * k);
    for (size_t i = 0; i < k; ++i) {
      const size_t j = i * n / k;
      out[2 * i] = toDegrees(s->collector.ref_lon[j]);
      out[2 * i + 1] = toDegrees(s->collector.ref_lat[j]);
    }
    return out;
  });
}

Napi::Value importerFinish(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    SessionPtr s = sessionArg(info);
    Napi::Object o = objectArg(info, 1, "options");
    BuildMapOptions options;
    options.output_path = string(o, "output", "");
    if (options.output_path.empty()) fail("InvalidArgument", "options.output must name the map file to write");
    options.source_name = string(o, "sourceName", "");
    options.source_timestamp = string(o, "sourceTimestamp", "");
    options.threads = static_cast<int>(number(o, "threads", 0));
    options.keep_all_components = boolean(o, "keepAllComponents", false);
    const std::string side = string(o, "drivingSide", "right");
    if (side != "left" && side != "right") fail("InvalidValue", "drivingSide must be left or right");
    options.left_hand_traffic = side == "left";
    Napi::Function on_progress;
    if (info.Length() > 2 && info[2].IsFunction()) on_progress = info[2].As<Napi::Function>();
    Napi::Function noop = Napi::Function::New(env, [](const Napi::CallbackInfo&) {});
    s->busy = true;
    auto* worker = new FinishWorker(env, noop, on_progress, s, std::move(options));
    Napi::Promise promise = worker->promise();
    worker->Queue();
    return promise;
  });
}

}  // namespace

void registerImport(Napi::Env env, Napi::Object exports) {
  exports.Set("createImporter", Napi::Function::New(env, createImporter));
  exports.Set("importerPush", Napi::Function::New(env, importerPush));
  exports.Set("importerStats", Napi::Function::New(env, importerStats));
  exports.Set("importerSample", Napi::Function::New(env, importerSample));
  exports.Set("importerFinish", Napi::Function::New(env, importerFinish));
}

}  // namespace waymark::js
