#include "binding/steps_to_js.h"

#include <unordered_map>

namespace waymark::js {

Napi::Object stepsToJs(Napi::Env env, const LoadedMap& map, const std::vector<std::vector<RouteStep>>& legs) {
  size_t steps = 0, intersections = 0, bearings = 0;
  for (const auto& leg : legs)
    for (const RouteStep& s : leg) {
      ++steps;
      intersections += s.intersections.size();
      for (const auto& x : s.intersections) bearings += x.bearings.size();
    }
  Napi::Uint32Array leg_end = Napi::Uint32Array::New(env, legs.size());
  Napi::Float64Array numbers = Napi::Float64Array::New(env, steps * kStepFields);
  Napi::Float64Array xs = Napi::Float64Array::New(env, intersections * kIntersectionFields);
  Napi::Uint16Array bs = Napi::Uint16Array::New(env, bearings);
  Napi::Uint8Array entry = Napi::Uint8Array::New(env, bearings);
  // Names travel once per route: a step holds an index into `names`.
  std::unordered_map<uint32_t, uint32_t> name_index;
  std::vector<uint32_t> name_ids;
  auto nameIndex = [&](uint32_t id) {
    auto [it, added] = name_index.emplace(id, uint32_t(name_ids.size()));
    if (added) name_ids.push_back(id);
    return it->second;
  };
  size_t k = 0, x = 0, b = 0;
  for (size_t l = 0; l < legs.size(); ++l) {
    for (const RouteStep& s : legs[l]) {
      double* f = numbers.Data() + kStepFields * k++;
      f[0] = double(s.type);
      f[1] = double(s.modifier);
      f[2] = s.exit;
      f[3] = s.lon;
      f[4] = s.lat;
      f[5] = s.bearing_before;
      f[6] = s.bearing_after;
      f[7] = nameIndex(s.name);
      f[8] = s.ferry ? 1 : 0;
      f[9] = s.duration_s;
      f[10] = s.distance_m;
      f[11] = s.geometry_begin;
      f[12] = s.geometry_end;
      for (const StepIntersection& i : s.intersections) {
        double* g = xs.Data() + kIntersectionFields * x++;
        g[0] = i.lon;
        g[1] = i.lat;
        g[2] = i.in;
        g[3] = i.out;
        for (size_t j = 0; j < i.bearings.size(); ++j, ++b) {
          bs[b] = i.bearings[j];
          entry[b] = i.entry[j];
        }
        g[4] = double(b);
      }
      f[13] = double(x);
      f[14] = nameIndex(s.ref);
    }
    leg_end[l] = uint32_t(k);
  }
  Napi::Array names = Napi::Array::New(env, name_ids.size());
  for (size_t i = 0; i < name_ids.size(); ++i) names.Set(uint32_t(i), std::string(map.road.name(name_ids[i])));
  Napi::Object o = Napi::Object::New(env);
  o.Set("legEnd", leg_end);
  o.Set("numbers", numbers);
  o.Set("intersections", xs);
  o.Set("bearings", bs);
  o.Set("entry", entry);
  o.Set("names", names);
  return o;
}

Napi::Object maneuverNamesToJs(Napi::Env env) {
  Napi::Array types = Napi::Array::New(env);
  for (uint32_t t = 0; t <= uint32_t(ManeuverType::kNotification); ++t) types.Set(t, maneuverTypeName(ManeuverType(t)));
  Napi::Array modifiers = Napi::Array::New(env);
  for (uint32_t m = 0; m <= uint32_t(Modifier::kSharpLeft); ++m) modifiers.Set(m, modifierName(Modifier(m)));
  Napi::Object o = Napi::Object::New(env);
  o.Set("types", types);
  o.Set("modifiers", modifiers);
  return o;
}

}  // namespace waymark::js
