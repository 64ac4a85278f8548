#include "binding/profile_from_js.h"

#include <cmath>

#include "binding/js_convert.h"

namespace waymark::js {

namespace {

SpeedTable speeds(const Napi::Object& o, const char* key) {
  SpeedTable out;
  if (!has(o, key)) return out;
  Napi::Value v = o.Get(key);
  if (!v.IsObject()) fail("InvalidArgument", std::string("profile.") + key + " must be an object of speeds");
  Napi::Object t = v.As<Napi::Object>();
  Napi::Array keys = t.GetPropertyNames();
  for (uint32_t i = 0; i < keys.Length(); ++i) {
    std::string k = keys.Get(i).As<Napi::String>().Utf8Value();
    Napi::Value s = t.Get(k);
    if (!s.IsNumber() || !std::isfinite(s.As<Napi::Number>().DoubleValue()) || s.As<Napi::Number>().DoubleValue() < 0)
      fail("InvalidArgument", std::string("profile.") + key + "." + k + " must be a non-negative number");
    out[k] = s.As<Napi::Number>().DoubleValue();
  }
  return out;
}

StringSet set(const Napi::Object& o, const char* key) {
  StringSet out;
  for (auto& s : strings(o, key)) out.insert(std::move(s));
  return out;
}

std::vector<std::pair<std::string, std::string>> pairs(const Napi::Object& o, const char* key) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!has(o, key)) return out;
  Napi::Value v = o.Get(key);
  if (!v.IsArray()) fail("InvalidArgument", std::string("profile.") + key + " must be an array of [key, value] pairs");
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); ++i) {
    Napi::Value item = a.Get(i);
    if (!item.IsArray() || item.As<Napi::Array>().Length() != 2 || !item.As<Napi::Array>().Get(0u).IsString() ||
        !item.As<Napi::Array>().Get(1u).IsString())
      fail("InvalidArgument", std::string("profile.") + key + " must be an array of [key, value] pairs");
    out.emplace_back(item.As<Napi::Array>().Get(0u).As<Napi::String>().Utf8Value(),
                     item.As<Napi::Array>().Get(1u).As<Napi::String>().Utf8Value());
  }
  return out;
}

}  // namespace

Profile profileFromJs(const Napi::Object& o) {
  Profile p;
  p.name = string(o, "name", "");
  if (p.name.empty() || p.name.size() > 31) fail("InvalidArgument", "profile.name must be a string of 1 to 31 characters");
  p.highway_speeds = speeds(o, "highwaySpeeds");
  if (p.highway_speeds.empty()) fail("InvalidArgument", "profile.highwaySpeeds must name at least one highway class");
  p.service_speeds = speeds(o, "serviceSpeeds");
  p.surface_speeds = speeds(o, "surfaceSpeeds");
  p.access_value_speeds = speeds(o, "accessValueSpeeds");
  p.access_tags = strings(o, "accessTags");
  p.access_denied = set(o, "accessDenied");
  p.access_allowed = set(o, "accessAllowed");
  p.access_allowed_speed = number(o, "accessAllowedSpeed", 0);
  p.oneway = boolean(o, "oneway", true);
  p.oneway_tags = strings(o, "onewayTags");
  p.oneway_exemptions = pairs(o, "onewayExemptions");
  p.implied_oneway_highways = set(o, "impliedOnewayHighways");
  p.implied_oneway_junctions = set(o, "impliedOnewayJunctions");
  p.use_maxspeed = boolean(o, "useMaxspeed", true);
  p.maxspeed_factor = number(o, "maxspeedFactor", 0.8);
  p.maxspeed_none = number(o, "maxspeedNone", 130);
  p.maxspeed_zones = speeds(o, "maxspeedZones");
  p.ferries = boolean(o, "ferries", true);
  p.ferry_speed = number(o, "ferrySpeed", 5);
  p.barrier_passable = set(o, "barrierPassable");
  p.restriction_tags = strings(o, "restrictionTags");
  p.vehicle_types = set(o, "vehicleTypes");
  p.excluded_tags = pairs(o, "excludedTags");
  p.u_turn_penalty_s = number(o, "uTurnPenaltyS", 20);
  p.traffic_signal_penalty_s = number(o, "trafficSignalPenaltyS", 2);
  if (has(o, "nodePenalties")) {
    Napi::Value v = o.Get("nodePenalties");
    if (!v.IsArray()) fail("InvalidArgument", "profile.nodePenalties must be an array of [key, value, seconds]");
    Napi::Array a = v.As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); ++i) {
      Napi::Value item = a.Get(i);
      Napi::Array t = item.IsArray() ? item.As<Napi::Array>() : Napi::Array::New(o.Env());
      if (t.Length() != 3 || !t.Get(0u).IsString() || !t.Get(1u).IsString() || !t.Get(2u).IsNumber() ||
          !(t.Get(2u).As<Napi::Number>().DoubleValue() >= 0) || !(t.Get(2u).As<Napi::Number>().DoubleValue() <= 86400))
        fail("InvalidArgument", "profile.nodePenalties[" + std::to_string(i) + "] must be [key, value, seconds 0..86400]");
      p.node_penalties.push_back({t.Get(0u).As<Napi::String>().Utf8Value(), t.Get(1u).As<Napi::String>().Utf8Value(),
                                  t.Get(2u).As<Napi::Number>().DoubleValue()});
    }
  }
  const std::string time_varying = string(o, "timeVaryingOneway", "closed");
  if (time_varying != "closed" && time_varying != "open")
    fail("InvalidArgument", "profile.timeVaryingOneway must be 'closed' or 'open'");
  p.time_varying_oneway_open = time_varying == "open";
  p.time_varying_oneway_penalty_s = number(o, "timeVaryingOnewayPenaltyS", 0);
  if (!(p.maxspeed_factor > 0 && p.maxspeed_factor <= 2)) fail("InvalidArgument", "profile.maxspeedFactor must be in (0, 2]");
  if (!(p.ferry_speed > 0)) fail("InvalidArgument", "profile.ferrySpeed must be positive");
  if (!(p.u_turn_penalty_s >= 0 && p.traffic_signal_penalty_s >= 0 && p.time_varying_oneway_penalty_s >= 0 &&
        p.time_varying_oneway_penalty_s <= 86400)) fail("InvalidArgument", "profile penalties must be non-negative");
  return p;
}

}  // namespace waymark::js
