#include "binding/query_args.h"

#include <cmath>
#include <cstdio>

#include "binding/js_convert.h"
#include "common/geo.h"
#include "route/route.h"

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
  if (has(o, "hints")) {
    Napi::Value v = o.Get("hints");
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
      fail("InvalidArgument", "hints must be a Float64Array of edge, fraction pairs");
    Napi::Float64Array arr = v.As<Napi::Float64Array>();
    for (size_t i = 0; i + 1 < arr.ElementLength(); i += 2) {
      a.hint_edge.push_back(arr[i]);
      a.hint_fraction.push_back(arr[i + 1]);
    }
  }
  return a;
}

namespace {

// The snap a hint describes, if it is usable on this map: an existing road the query may snap to,
// a fraction in [0, 1]. Location and distance are recomputed, never taken from the hint.
bool snapFromHint(const LoadedMap& map, double lon, double lat, double edge, double fraction, bool allow_isolated, SnapResult& out) {
  if (!(edge >= 0) || edge != std::floor(edge) || edge >= map.road.edgeCount() || !(fraction >= 0 && fraction <= 1)) return false;
  const uint32_t e = static_cast<uint32_t>(edge);
  if (!allow_isolated && !map.eb.snappable(map.eb.segment(e, 0)) && !map.eb.snappable(map.eb.segment(e, 1))) return false;
  std::vector<double> pt;
  appendEdgeGeometry(map.road, e, 0, fraction, fraction, pt);
  out = SnapResult{};
  out.found = true;
  out.edge = e;
  out.fraction = fraction;
  out.lon = pt[0];
  out.lat = pt[1];
  out.distance_m = haversineMeters(lon, lat, pt[0], pt[1]);
  out.allow_isolated = allow_isolated;
  return true;
}

}  // namespace

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
    if (i < args.hint_edge.size() && snapFromHint(map, lon, lat, args.hint_edge[i], args.hint_fraction[i], args.allow_isolated, out[i])) continue;
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
