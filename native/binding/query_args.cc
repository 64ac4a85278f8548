#include "binding/query_args.h"

#include <cmath>
#include <cstdio>

#include "binding/js_convert.h"
#include "common/geo.h"

namespace waymark::js {

Napi::Float64Array coordinatesArg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || !info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    fail("InvalidArgument", std::string(what) + " must be a Float64Array of lon, lat pairs");
  Napi::Float64Array a = info[i].As<Napi::Float64Array>();
  if (a.ElementLength() % 2 != 0) fail("InvalidArgument", std::string(what) + " must hold lon, lat pairs");
  return a;
}

SnapArgs snapArgs(const Napi::Object& o) {
  SnapArgs a;
  a.allow_isolated = boolean(o, "allowIsolated", false);
  a.radius = number(o, "radius", INFINITY);
  if (!(a.radius > 0)) fail("InvalidValue", "radius must be a positive number of metres (or Infinity for no limit)");
  if (has(o, "radiuses")) {
    Napi::Value v = o.Get("radiuses");
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
      fail("InvalidArgument", "radiuses must be a Float64Array");
    Napi::Float64Array arr = v.As<Napi::Float64Array>();
    a.radii.assign(arr.Data(), arr.Data() + arr.ElementLength());
  }
  if (has(o, "coordinateNumbers")) {
    Napi::Value v = o.Get("coordinateNumbers");
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array)
      fail("InvalidArgument", "coordinateNumbers must be a Uint32Array");
    Napi::Uint32Array arr = v.As<Napi::Uint32Array>();
    a.numbers.assign(arr.Data(), arr.Data() + arr.ElementLength());
  }
  return a;
}

namespace {

// Metres from (lon, lat) to the farthest corner of the bbox: no road of the map lies farther, so
// an unlimited search never needs to look beyond it.
double farthestCornerM(const MapHeader& h, double lon, double lat) {
  double far = 0;
  for (int x = 0; x < 2; ++x)
    for (int y = 0; y < 2; ++y) far = std::max(far, haversineMeters(lon, lat, h.bbox[x == 0 ? 0 : 2], h.bbox[y == 0 ? 1 : 3]));
  return far;
}

}  // namespace

std::vector<SnapResult> snapAll(const LoadedMap& map, const double* coords, size_t count, const SnapArgs& args,
                                std::vector<std::string>* failures) {
  const std::vector<double>& radii = args.radii;
  if (!radii.empty() && radii.size() != count) fail("InvalidValue", "radiuses must have one value per coordinate");
  if (!args.numbers.empty() && args.numbers.size() != count) fail("InvalidArgument", "coordinateNumbers must have one value per coordinate");
  const MapHeader& h = map.file->header();
  std::vector<SnapResult> out(count);
  if (failures) failures->assign(count, std::string());
  for (size_t i = 0; i < count; ++i) {
    const double lon = coords[2 * i], lat = coords[2 * i + 1];
    const double r = radii.empty() ? args.radius : radii[i];
    const size_t number = args.numbers.empty() ? i : args.numbers[i];
    if (!std::isfinite(lon) || !std::isfinite(lat)) fail("InvalidValue", "coordinate " + std::to_string(number) + " is not a finite number");
    if (lon < -180 || lon > 180 || lat < -90 || lat > 90)
      fail("InvalidValue", "coordinate " + std::to_string(number) + " is out of range: longitude must be in [-180, 180] and latitude in [-90, 90]");
    if (!(r > 0)) fail("InvalidValue", "radius of coordinate " + std::to_string(number) + " must be a positive number");
    // OSRM's wording first (clients such as VROOM parse the index out of it), then why.
    char where[160];
    std::snprintf(where, sizeof(where), "Could not find a matching segment for coordinate %zu (%.7g, %.7g)", number, lon, lat);
    auto refuse = [&](const std::string& why) {
      if (!failures) fail("NoSegment", std::string(where) + ": " + why);
      (*failures)[i] = std::string(where) + ": " + why;
      out[i] = SnapResult{};
    };
    // Outside the map's area (its bbox grown by kMapAreaMarginM): never snapped, whatever the radius.
    const double dlat = kMapAreaMarginM / 111195.0, dlon = dlat / std::max(0.01, std::cos(lat * M_PI / 180));
    if (lon < h.bbox[0] - dlon || lon > h.bbox[2] + dlon || lat < h.bbox[1] - dlat || lat > h.bbox[3] + dlat) {
      refuse("outside the map's area");
      continue;
    }
    const double search = std::min(r, farthestCornerM(h, lon, lat) + 1);
    out[i] = map.snapPoint(lon, lat, search, args.allow_isolated);
    if (!out[i].found) {
      if (std::isfinite(r)) refuse("no road within " + std::to_string(static_cast<long long>(std::llround(r))) + " m");
      else refuse("no road on the map");
    }
  }
  return out;
}

Napi::Object snapToJs(Napi::Env env, const LoadedMap& map, const SnapResult& s, bool detailed) {
  Napi::Object o = Napi::Object::New(env);
  Napi::Array loc = Napi::Array::New(env, 2);
  loc.Set(0u, std::round(s.lon * 1e6) / 1e6);
  loc.Set(1u, std::round(s.lat * 1e6) / 1e6);
  o.Set("location", loc);
  o.Set("distance", s.distance_m);
  o.Set("name", std::string(map.road.name(map.road.edge_name[s.edge])));
  if (detailed) {
    o.Set("edge", s.edge);
    o.Set("fraction", s.fraction);
  }
  return o;
}

}  // namespace waymark::js
