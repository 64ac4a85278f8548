#include "binding/query_args.h"

#include <cmath>
#include <cstdio>

#include "binding/js_convert.h"

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
  double& radius = a.radius;
  std::vector<double>& radii = a.radii;
  a.allow_isolated = boolean(o, "allowIsolated", false);
  radius = number(o, "radius", 1000);
  if (!(radius > 0) || !std::isfinite(radius)) fail("InvalidValue", "radius must be a positive number of metres");
  if (has(o, "radiuses")) {
    Napi::Value v = o.Get("radiuses");
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
      fail("InvalidArgument", "radiuses must be a Float64Array");
    Napi::Float64Array arr = v.As<Napi::Float64Array>();
    radii.assign(arr.Data(), arr.Data() + arr.ElementLength());
  }
  return a;
}

std::vector<SnapResult> snapAll(const LoadedMap& map, const double* coords, size_t count, const SnapArgs& args) {
  const double radius = args.radius;
  const std::vector<double>& radii = args.radii;
  if (!radii.empty() && radii.size() != count) fail("InvalidValue", "radiuses must have one value per coordinate");
  const MapHeader& h = map.file->header();
  std::vector<SnapResult> out(count);
  for (size_t i = 0; i < count; ++i) {
    const double lon = coords[2 * i], lat = coords[2 * i + 1];
    const double r = radii.empty() ? radius : radii[i];
    char where[96];
    std::snprintf(where, sizeof(where), "coordinate %zu (%.7g, %.7g)", i, lon, lat);
    if (!std::isfinite(lon) || !std::isfinite(lat)) fail("InvalidValue", "coordinate " + std::to_string(i) + " is not a finite number");
    if (lon < -180 || lon > 180 || lat < -90 || lat > 90)
      fail("InvalidValue", std::string(where) + " is out of range: longitude must be in [-180, 180] and latitude in [-90, 90]");
    if (!(r > 0) || !std::isfinite(r)) fail("InvalidValue", "radius of coordinate " + std::to_string(i) + " must be a positive number");
    // Quick reject outside the map's area (bbox grown by the radius).
    const double dlat = r / 111195.0, dlon = dlat / std::max(0.01, std::cos(lat * M_PI / 180));
    if (lon < h.bbox[0] - dlon || lon > h.bbox[2] + dlon || lat < h.bbox[1] - dlat || lat > h.bbox[3] + dlat)
      fail("NoSegment", std::string(where) + " is outside the map's area");
    out[i] = map.snapPoint(lon, lat, r, args.allow_isolated);
    if (!out[i].found) fail("NoSegment", "no road within " + std::to_string(static_cast<long>(r)) + " m of " + where);
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
