#include "binding/query_args.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "binding/js_convert.h"
#include "common/geo.h"
#include "route/endpoints.h"
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
  auto floats = [&](const char* key) {
    std::vector<double> out;
    if (!has(o, key)) return out;
    Napi::Value v = o.Get(key);
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
      fail("InvalidArgument", std::string(key) + " must be a Float64Array");
    Napi::Float64Array arr = v.As<Napi::Float64Array>();
    out.assign(arr.Data(), arr.Data() + arr.ElementLength());
    return out;
  };
  const std::vector<double> bearings = floats("bearings");
  for (size_t i = 0; i + 1 < bearings.size(); i += 2) {
    if (bearings[i + 1] >= 0 && !(bearings[i] >= 0 && bearings[i] <= 360 && bearings[i + 1] <= 180))
      fail("InvalidValue", "bearings must be value in [0, 360] and range in [0, 180]");
    a.bearing.push_back(bearings[i]);
    a.bearing_range.push_back(bearings[i + 1]);
  }
  a.approach = floats("approaches");
  for (double x : a.approach)
    if (x != 0 && x != 1 && x != 2) fail("InvalidValue", "approaches must be 0 (unrestricted), 1 (curb) or 2 (opposite)");
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

// Heading of `edge` (from -> to) at `fraction` of its length, degrees from north.
double headingAt(const RoadMap& road, uint32_t edge, double fraction) {
  const uint32_t k = road.polylineSize(edge);
  std::vector<double> cum(k, 0);
  auto lon = [&](uint32_t i) { return toDegrees(road.polylineLon(edge, i)); };
  auto lat = [&](uint32_t i) { return toDegrees(road.polylineLat(edge, i)); };
  for (uint32_t i = 1; i < k; ++i) cum[i] = cum[i - 1] + haversineMeters(lon(i - 1), lat(i - 1), lon(i), lat(i));
  uint32_t i = 1;
  while (i + 1 < k && cum[i] < fraction * cum[k - 1]) ++i;
  return bearingDegrees(lon(i - 1), lat(i - 1), lon(i), lat(i));
}

double angleBetween(double a, double b) {
  const double d = std::fabs(std::fmod(a - b + 720.0, 360.0));
  return d > 180 ? 360 - d : d;
}

// Directions the point's wishes allow on its road (bit 0 from->to, bit 1 to->from), among those a
// route may use there at all.
uint8_t allowedDirections(const LoadedMap& map, const SnapResult& s, double lon, double lat, const SnapArgs& args, size_t i, bool departs) {
  uint8_t dirs = 0;
  for (uint32_t dir = 0; dir < 2; ++dir) {
    const uint32_t seg = map.eb.segment(s.edge, dir);
    if (endpointAllowed(map.eb, s, seg)) dirs |= uint8_t(1u << dir);
  }
  const bool has_bearing = i < args.bearing.size() && args.bearing_range[i] >= 0;
  const double approach = i < args.approach.size() ? args.approach[i] : 0;
  if (!has_bearing && approach == 0) return dirs;
  const double heading = headingAt(map.road, s.edge, s.fraction);
  for (uint32_t dir = 0; dir < 2; ++dir) {
    const double h = dir == 0 ? heading : std::fmod(heading + 180.0, 360.0);
    bool ok = true;
    if (has_bearing) ok = angleBetween(h, args.bearing[i]) <= args.bearing_range[i];
    // Curb: the requested point on the driver's kerb side (the right, or the left where traffic keeps
    // left); a point on the road itself has no side.
    if (ok && approach != 0 && haversineMeters(s.lon, s.lat, lon, lat) > 0.5) {
      const double rel = std::fmod(bearingDegrees(s.lon, s.lat, lon, lat) - h + 720.0, 360.0);
      const bool kerb_side = map.left_hand_traffic ? rel > 180 && rel < 360 : rel > 0 && rel < 180;
      ok = approach == 1 ? kerb_side : !kerb_side;
      // At the very end of the road (a junction) only the direction driven along this road to (or,
      // departing, from) the point keeps the side checked here; the other would arrive or leave by
      // another road, on whatever side.
      const bool at_end = s.fraction >= 1 - 1e-9, at_start = s.fraction <= 1e-9;
      if (at_end || at_start) {
        const uint32_t along = (at_end ? 0u : 1u) ^ (departs ? 1u : 0u);
        ok = ok && dir == along;
      }
    }
    if (!ok) dirs &= uint8_t(~(1u << dir));
  }
  return dirs;
}

// The polyline segment of edge e at a fraction of its length (measured as snapToRoad measures it).
uint32_t partAtFraction(const RoadMap& road, uint32_t e, double fraction, double lat) {
  const double my = kEarthRadiusM * M_PI / 180.0 / kCoordScale, mx = my * std::max(0.01, std::cos(lat * M_PI / 180.0));
  const uint32_t parts = road.polylineSize(e) - 1;
  std::vector<double> at(parts + 1, 0.0);
  for (uint32_t i = 0; i < parts; ++i) {
    const double lx = (road.polylineLon(e, i + 1) - road.polylineLon(e, i)) * mx;
    const double ly = (road.polylineLat(e, i + 1) - road.polylineLat(e, i)) * my;
    at[i + 1] = at[i] + std::sqrt(lx * lx + ly * ly);
  }
  const double target = fraction * at[parts];
  uint32_t part = 0;
  while (part + 1 < parts && at[part + 1] < target) ++part;
  return part;
}

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
  out.part = partAtFraction(map.road, e, fraction, pt[1]);
  out.distance_m = haversineMeters(lon, lat, pt[0], pt[1]);
  out.allow_isolated = allow_isolated;
  return true;
}

}  // namespace

uint8_t wantedDirections(const LoadedMap& map, const SnapResult& s, double lon, double lat, const SnapArgs& args, size_t i) {
  return allowedDirections(map, s, lon, lat, args, i, false);
}

double searchRadiusM(const LoadedMap& map, double lon, double lat, double radius) {
  return std::min(radius, farthestCornerM(map.file->header(), lon, lat) + 1);
}

std::vector<SnapResult> snapAll(const LoadedMap& map, const double* coords, size_t count, const SnapArgs& args,
                                std::vector<std::string>* failures) {
  const std::vector<double>& radii = args.radii;
  if (!radii.empty() && radii.size() != count) fail("InvalidValue", "radiuses must have one value per coordinate");
  if (!args.numbers.empty() && args.numbers.size() != count) fail("InvalidArgument", "coordinateNumbers must have one value per coordinate");
  const MapHeader& h = map.file->header();
  std::vector<SnapResult> out(count);
  if (failures) failures->assign(count, std::string());
  // A route's or a small table's points: their first cache misses overlap instead of queueing.
  if (count <= 16) map.prefetchSnaps(coords, count);
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
    if (i < args.hint_edge.size() && snapFromHint(map, lon, lat, args.hint_edge[i], args.hint_fraction[i], args.allow_isolated, out[i])) {
      out[i].directions = allowedDirections(map, out[i], lon, lat, args, i, i == 0 && count > 1);
      if (out[i].directions != 0) continue;
    }
    const double search = searchRadiusM(map, lon, lat, r);
    const std::string within = std::isfinite(r) ? "within " + std::to_string(static_cast<long long>(std::llround(r))) + " m" : "on the map";
    out[i] = map.snapPoint(lon, lat, search, args.allow_isolated);
    if (!out[i].found) {
      refuse("no road " + within);
      continue;
    }
    out[i].directions = allowedDirections(map, out[i], lon, lat, args, i, i == 0 && count > 1);
    // Bearings and approaches: pass over roads that offer no wanted direction, nearest first.
    std::vector<uint32_t> passed;
    while (out[i].directions == 0) {
      passed.push_back(out[i].edge);
      if (passed.size() > 64) {
        refuse("none of the 64 nearest roads matches its bearing and approach");
        break;
      }
      SnapResult next = map.snap.snapToRoad(map.road, lon, lat, search, [&](uint32_t e) {
        if (std::find(passed.begin(), passed.end(), e) != passed.end()) return false;
        return args.allow_isolated || map.eb.snappable(map.eb.segment(e, 0)) || map.eb.snappable(map.eb.segment(e, 1));
      });
      if (!next.found) {
        refuse("no road " + within + " matches its bearing and approach");
        break;
      }
      next.allow_isolated = args.allow_isolated;
      next.directions = allowedDirections(map, next, lon, lat, args, i, i == 0 && count > 1);
      out[i] = next;
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
    // OSM ids of the two nodes of the segment it lies on (OSRM's `nodes`); ids stay below 2^53.
    Napi::Array nodes = Napi::Array::New(env, 2);
    nodes.Set(0u, double(map.road.polylineOsmId(s.edge, s.part)));
    nodes.Set(1u, double(map.road.polylineOsmId(s.edge, s.part + 1)));
    o.Set("nodes", nodes);
  }
  return o;
}

}  // namespace waymark::js
