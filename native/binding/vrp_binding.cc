// solveVrp: a VRP instance as typed arrays (built by src/vrp/model.ts) in, the best solution with
// every route's exact schedule out.
#include <algorithm>
#include <chrono>
#include <cmath>

#include "binding/js_convert.h"
#include "binding/registry.h"
#include "vrp/algorithms/solver.h"

namespace waymark::js {

namespace {

template <typename T, typename Array>
std::vector<T> readArray(const Napi::Object& o, const char* key, napi_typedarray_type expected, const char* type_name) {
  if (!has(o, key)) fail("InvalidArgument", std::string("problem.") + key + " is missing");
  Napi::Value v = o.Get(key);
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != expected)
    fail("InvalidArgument", std::string("problem.") + key + " must be a " + type_name);
  Array a = v.As<Array>();
  return std::vector<T>(a.Data(), a.Data() + a.ElementLength());
}

std::vector<int64_t> i64(const Napi::Object& o, const char* key) {
  auto d = readArray<double, Napi::Float64Array>(o, key, napi_float64_array, "Float64Array");
  std::vector<int64_t> out(d.size());
  for (size_t i = 0; i < d.size(); ++i) {
    if (!std::isfinite(d[i]) || std::fabs(d[i]) > 1e15) fail("InvalidValue", std::string("problem.") + key + " holds a value out of range");
    out[i] = static_cast<int64_t>(std::llround(d[i]));
  }
  return out;
}
std::vector<uint32_t> u32(const Napi::Object& o, const char* key) {
  return readArray<uint32_t, Napi::Uint32Array>(o, key, napi_uint32_array, "Uint32Array");
}
std::vector<int32_t> i32(const Napi::Object& o, const char* key) {
  return readArray<int32_t, Napi::Int32Array>(o, key, napi_int32_array, "Int32Array");
}
std::vector<vrp::TimeWindow> windows(const Napi::Object& o, const char* key) {
  const auto flat = i64(o, key);
  if (flat.size() % 2) fail("InvalidArgument", std::string("problem.") + key + " must hold start, end pairs");
  std::vector<vrp::TimeWindow> out;
  for (size_t i = 0; i < flat.size(); i += 2) {
    if (flat[i] > flat[i + 1]) fail("InvalidValue", std::string("problem.") + key + " has a window that ends before it starts");
    out.push_back({flat[i], flat[i + 1]});
  }
  return out;
}

vrp::Problem problemFromJs(const Napi::Object& o) {
  vrp::Problem p;
  p.dims = static_cast<uint32_t>(number(o, "dims", 0));
  p.locations = static_cast<uint32_t>(number(o, "locations", 0));
  if (!has(o, "types") || !o.Get("types").IsArray()) fail("InvalidArgument", "problem.types must be an array");
  Napi::Array types = o.Get("types").As<Napi::Array>();
  for (uint32_t i = 0; i < types.Length(); ++i) {
    Napi::Object t = types.Get(i).As<Napi::Object>();
    vrp::VehicleType vt;
    vt.locations = p.locations;
    vt.duration = i32(t, "duration");
    vt.distance = i32(t, "distance");
    vt.cost = i32(t, "cost");
    p.types.push_back(std::move(vt));
  }
  const auto kind = readArray<uint8_t, Napi::Uint8Array>(o, "kind", napi_uint8_array, "Uint8Array");
  for (uint8_t k : kind) {
    if (k > 2) fail("InvalidValue", "problem.kind holds an unknown task kind");
    p.kind.push_back(static_cast<vrp::TaskKind>(k));
  }
  p.location = u32(o, "location");
  p.service = i64(o, "service");
  p.setup = i64(o, "setup");
  p.tw_first = u32(o, "twFirst");
  p.tw = windows(o, "tw");
  p.delivery = i64(o, "delivery");
  p.pickup = i64(o, "pickup");
  p.skill_first = u32(o, "skillFirst");
  p.skills = u32(o, "skills");
  p.priority = i64(o, "priority");
  p.partner = i32(o, "partner");
  p.vehicle_type = u32(o, "vehicleType");
  p.start = i32(o, "start");
  p.end = i32(o, "end");
  p.capacity = i64(o, "capacity");
  p.vskill_first = u32(o, "vehicleSkillFirst");
  p.vskills = u32(o, "vehicleSkills");
  p.vtw = windows(o, "vehicleTw");
  p.break_first = u32(o, "breakFirst");
  p.break_tw_first = u32(o, "breakTwFirst");
  p.break_tw = windows(o, "breakTw");
  p.break_service = i64(o, "breakService");
  p.max_tasks = i64(o, "maxTasks");
  p.max_travel_time = i64(o, "maxTravelTime");
  p.max_distance = i64(o, "maxDistance");
  p.fixed_cost = i64(o, "fixedCost");
  if (has(o, "reach")) p.reach = readArray<uint8_t, Napi::Uint8Array>(o, "reach", napi_uint8_array, "Uint8Array");
  // Optional: vehicle steps (pinned tasks, breaks placed among them), breaks' max_load, per_task_hour.
  if (has(o, "pinnedVehicle")) {
    p.pinned_vehicle = i32(o, "pinnedVehicle");
    p.pinned_rank = i32(o, "pinnedRank");
  }
  if (has(o, "breakAfterPinned")) p.break_after_pinned = i32(o, "breakAfterPinned");
  if (has(o, "breakMaxLoad")) p.break_max_load = i64(o, "breakMaxLoad");
  if (has(o, "taskHourCost")) p.task_hour_cost = i64(o, "taskHourCost");
  // Array-level consistency before any index is followed.
  const size_t T = p.kind.size(), V = p.vehicle_type.size();
  if (p.tw_first.size() != T + 1 || p.skill_first.size() != T + 1 || p.vskill_first.size() != V + 1 || p.break_first.size() != V + 1)
    fail("InvalidArgument", "problem CSR arrays have the wrong length");
  if (p.tw_first.back() != p.tw.size() || p.skill_first.back() != p.skills.size() || p.vskill_first.back() != p.vskills.size() ||
      p.break_tw_first.empty() || p.break_tw_first.back() != p.break_tw.size())
    fail("InvalidArgument", "problem CSR offsets do not match their arrays");
  for (size_t i = 0; i + 1 < p.tw_first.size(); ++i)
    if (p.tw_first[i] > p.tw_first[i + 1]) fail("InvalidArgument", "problem.twFirst must not decrease");
  for (size_t i = 0; i + 1 < p.skill_first.size(); ++i)
    if (p.skill_first[i] > p.skill_first[i + 1]) fail("InvalidArgument", "problem.skillFirst must not decrease");
  for (size_t i = 0; i + 1 < p.vskill_first.size(); ++i)
    if (p.vskill_first[i] > p.vskill_first[i + 1]) fail("InvalidArgument", "problem.vehicleSkillFirst must not decrease");
  for (size_t i = 0; i + 1 < p.break_first.size(); ++i)
    if (p.break_first[i] > p.break_first[i + 1]) fail("InvalidArgument", "problem.breakFirst must not decrease");
  for (size_t i = 0; i + 1 < p.break_tw_first.size(); ++i)
    if (p.break_tw_first[i] > p.break_tw_first[i + 1]) fail("InvalidArgument", "problem.breakTwFirst must not decrease");
  p.validate();
  return p;
}

Napi::Value solveVrp(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    const auto entered = std::chrono::steady_clock::now();
    const vrp::Problem p = problemFromJs(objectArg(info, 0, "problem"));
    Napi::Object o = info.Length() > 1 && info[1].IsObject() ? info[1].As<Napi::Object>() : Napi::Object::New(env);
    vrp::SolveOptions options;
    options.time_limit_s = number(o, "timeLimit", 5);
    if (!(options.time_limit_s >= 0 && options.time_limit_s <= 86400)) fail("InvalidValue", "timeLimit must be in [0, 86400] seconds");
    // The limit counts from the call: copying and validating a 5,000-task matrix takes a while.
    const double reading = std::chrono::duration<double>(std::chrono::steady_clock::now() - entered).count();
    const double time_limit = options.time_limit_s;
    options.time_limit_s = std::max(0.0, time_limit - reading);
    options.seed = static_cast<uint64_t>(number(o, "seed", 1));
    options.threads = static_cast<unsigned>(number(o, "threads", 0));
    const double iterations = number(o, "maxIterations", -1);
    if (iterations >= 0) options.max_iterations = static_cast<uint64_t>(iterations);
    options.verify_fast_path = boolean(o, "verifyFastPath", false);
    options.run_to_time_limit = boolean(o, "runToTimeLimit", false);
    options.cpu_time_limit = boolean(o, "cpuTimeLimit", false);
    if (has(o, "search")) {
      Napi::Value sv = o.Get("search");
      const std::string search = sv.IsString() ? sv.As<Napi::String>().Utf8Value() : "";
      if (search == "sisr") options.search = vrp::SearchKind::kSisr;
      else if (search == "hgs") options.search = vrp::SearchKind::kHgs;
      else if (search == "portfolio") options.search = vrp::SearchKind::kPortfolio;
      else fail("InvalidValue", "search must be \"sisr\", \"hgs\" or \"portfolio\"");
    }
    // Optional shared control: Int32Array [cancel] and Float64Array progress (5 values).
    if (has(o, "control")) {
      Napi::Value c = o.Get("control");
      if (!c.IsTypedArray() || c.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array || c.As<Napi::Int32Array>().ElementLength() < 1)
        fail("InvalidArgument", "control must be an Int32Array of at least one element");
      options.cancel = reinterpret_cast<const std::atomic<int32_t>*>(c.As<Napi::Int32Array>().Data());
    }
    if (has(o, "progress")) {
      Napi::Value pv = o.Get("progress");
      if (!pv.IsTypedArray() || pv.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array || pv.As<Napi::Float64Array>().ElementLength() < 5)
        fail("InvalidArgument", "progress must be a Float64Array of at least five elements");
      options.progress = pv.As<Napi::Float64Array>().Data();
    }
    // Optional warm start: per vehicle (CSR) the tasks of its first route.
    std::vector<std::vector<uint32_t>> initial;
    if (has(o, "initialRouteFirst")) {
      const auto first = readArray<uint32_t, Napi::Uint32Array>(o, "initialRouteFirst", napi_uint32_array, "Uint32Array");
      const auto tasks = readArray<uint32_t, Napi::Uint32Array>(o, "initialRouteTasks", napi_uint32_array, "Uint32Array");
      if (first.size() != p.vehicleCount() + 1 || first.back() != tasks.size()) fail("InvalidArgument", "initialRouteFirst must hold vehicles + 1 offsets into initialRouteTasks");
      initial.resize(p.vehicleCount());
      for (uint32_t v = 0; v < p.vehicleCount(); ++v) {
        if (first[v] > first[v + 1]) fail("InvalidArgument", "initialRouteFirst must not decrease");
        for (uint32_t i = first[v]; i < first[v + 1]; ++i) {
          if (tasks[i] >= p.taskCount()) fail("InvalidValue", "initialRouteTasks holds a task index out of range");
          initial[v].push_back(tasks[i]);
        }
      }
      options.initial_routes = &initial;
    }
    const vrp::SolveResult r = vrp::solve(p, options);

    Napi::Object out = Napi::Object::New(env);
    out.Set("cost", double(r.best.cost));
    Napi::Array routes = Napi::Array::New(env);
    std::vector<vrp::ScheduleStep> steps;
    uint32_t used = 0;
    for (uint32_t v = 0; v < p.vehicleCount(); ++v) {
      if (r.best.routes[v].empty()) continue;
      const vrp::RouteTotals totals = vrp::evaluateRoute(p, v, r.best.routes[v], &steps);
      Napi::Object route = Napi::Object::New(env);
      route.Set("vehicle", v);
      route.Set("cost", double(totals.cost));
      route.Set("feasible", totals.feasible);
      constexpr size_t kFields = 9;
      Napi::Float64Array flat = Napi::Float64Array::New(env, steps.size() * kFields);
      Napi::Float64Array loads = Napi::Float64Array::New(env, steps.size() * p.dims);
      for (size_t i = 0; i < steps.size(); ++i) {
        const auto& s = steps[i];
        const double fields[kFields] = {double(s.type), double(s.id), double(s.location), double(s.arrival), double(s.waiting),
                                        double(s.setup), double(s.service), double(s.duration), double(s.distance)};
        for (size_t f = 0; f < kFields; ++f) flat[i * kFields + f] = fields[f];
        for (uint32_t d = 0; d < p.dims; ++d) loads[i * p.dims + d] = double(s.load[d]);
      }
      route.Set("steps", flat);
      route.Set("loads", loads);
      routes.Set(used++, route);
    }
    out.Set("routes", routes);
    Napi::Array unassigned = Napi::Array::New(env);
    uint32_t u = 0;
    for (uint32_t t = 0; t < p.taskCount(); ++t) {
      if (r.best.route_of[t] != vrp::kNone) continue;
      Napi::Object item = Napi::Object::New(env);
      item.Set("task", t);
      item.Set("reason", r.unassigned_reason[t].empty() ? "no feasible place was found for it within the time limit" : r.unassigned_reason[t]);
      unassigned.Set(u++, item);
    }
    out.Set("unassigned", unassigned);
    out.Set("iterations", double(r.iterations));
    out.Set("improvements", double(r.improvements));
    out.Set("fleetRestarts", double(r.fleet_restarts));
    out.Set("secondsFirstSolution", r.seconds_first_solution);
    out.Set("secondsTotal", r.seconds_total);
    out.Set("stopReason", vrp::stopReasonName(r.stop_reason));
    out.Set("timeLimit", time_limit);
    return out;
  });
}

}  // namespace

void registerVrp(Napi::Env env, Napi::Object exports) { exports.Set("solveVrp", Napi::Function::New(env, solveVrp)); }

}  // namespace waymark::js
