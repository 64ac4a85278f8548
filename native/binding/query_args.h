#pragma once
// Shared argument handling for query bindings: coordinate arrays and their snapping.
#include <napi.h>

#include <cmath>
#include <string>
#include <vector>

#include "binding/map_handle.h"
#include "spatial/snap_index.h"

namespace waymark::js {

// A Float64Array of lon, lat pairs.
Napi::Float64Array coordinatesArg(const Napi::CallbackInfo& info, size_t i, const char* what);

// Snapping as OSRM's: the nearest road with no distance cap (radius = +Infinity) unless a radius
// says otherwise. Coordinates outside the map's area (its bbox grown by kMapAreaMarginM) never
// snap: a stop in another country is an error, not a 500 km snap to the map's edge.
constexpr double kMapAreaMarginM = 10000;

// Validates and snaps every coordinate. radii: one per point (or empty for `radius`). Throws
// InvalidValue for NaN / out-of-range values and NoSegment when nothing routable is near.
struct SnapArgs {
  double radius = INFINITY;
  std::vector<double> radii;  // per point, or empty
  bool allow_isolated = false;
  // The coordinate number each point is called by in messages (the caller's own numbering, e.g. the
  // URL's coordinate index); empty = the point's position.
  std::vector<uint32_t> numbers;
};
// Reads radius (number, Infinity = unlimited), radiuses (Float64Array), allowIsolated (boolean) and
// coordinateNumbers (Uint32Array) from an options object.
SnapArgs snapArgs(const Napi::Object& o);

// With failures == nullptr, the first point that cannot be snapped throws NoSegment with OSRM's
// wording ("Could not find a matching segment for coordinate N", then why). Otherwise such points
// come back with found = false and their message in (*failures)[i] (empty for snapped points).
std::vector<SnapResult> snapAll(const LoadedMap& map, const double* coords, size_t count, const SnapArgs& args,
                                std::vector<std::string>* failures = nullptr);

// { location: [lon, lat] (1e-6), distance (m), name }, plus edge and fraction when `detailed`.
Napi::Object snapToJs(Napi::Env env, const LoadedMap& map, const SnapResult& s, bool detailed);

}  // namespace waymark::js
