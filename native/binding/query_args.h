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
  // Per point: a previous snap to reuse (edge, fraction along it), or edge < 0 to snap afresh. The
  // caller has checked the hint belongs to this map version; a hint naming a road the query may not
  // snap to is ignored.
  std::vector<double> hint_edge, hint_fraction;
  // Per point (or empty): travel direction wanted at the point, degrees from north, and the
  // tolerance either side (negative = any); approach 0 = unrestricted, 1 = curb (the point on the
  // right, right-hand traffic), 2 = opposite. A road offering no such direction is passed over for
  // the next nearest one.
  std::vector<double> bearing, bearing_range;
  std::vector<double> approach;
};
// Reads radius (number, Infinity = unlimited), radiuses (Float64Array), allowIsolated (boolean),
// coordinateNumbers (Uint32Array), hints (Float64Array of edge, fraction pairs; edge -1 = none),
// bearings (Float64Array of value, range pairs; range -1 = none) and approaches (Float64Array: 0, 1,
// 2) from an options object.
SnapArgs snapArgs(const Napi::Object& o);

// The directions of `s`'s road (bit 0 from->to, bit 1 to->from) point i's bearing and approach allow
// (0: the road offers none of them).
uint8_t wantedDirections(const LoadedMap& map, const SnapResult& s, double lon, double lat, const SnapArgs& args, size_t i);

// The radius a snap search around (lon, lat) needs: `radius`, or less when no road of the map can
// lie that far (an unlimited radius becomes the distance to the map's farthest corner).
double searchRadiusM(const LoadedMap& map, double lon, double lat, double radius);

// With failures == nullptr, the first point that cannot be snapped throws NoSegment with OSRM's
// wording ("Could not find a matching segment for coordinate N", then why). Otherwise such points
// come back with found = false and their message in (*failures)[i] (empty for snapped points).
std::vector<SnapResult> snapAll(const LoadedMap& map, const double* coords, size_t count, const SnapArgs& args,
                                std::vector<std::string>* failures = nullptr);

// { location: [lon, lat] (1e-6), distance (m), name }, plus edge and fraction when `detailed`.
Napi::Object snapToJs(Napi::Env env, const LoadedMap& map, const SnapResult& s, bool detailed);

}  // namespace waymark::js
