#pragma once
// Shared argument handling for query bindings: coordinate arrays and their snapping.
#include <napi.h>

#include <vector>

#include "binding/map_handle.h"
#include "spatial/snap_index.h"

namespace waymark::js {

// A Float64Array of lon, lat pairs.
Napi::Float64Array coordinatesArg(const Napi::CallbackInfo& info, size_t i, const char* what);

// Validates and snaps every coordinate. radii: one per point (or empty for `radius`). Throws
// InvalidValue for NaN / out-of-range values and NoSegment when nothing routable is near.
struct SnapArgs {
  double radius = 1000;
  std::vector<double> radii;  // per point, or empty
  bool allow_isolated = false;
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
// Reads radius (number), radiuses (Float64Array), allowIsolated (boolean) and hints (Float64Array of
// edge, fraction pairs; edge -1 = none), bearings (Float64Array of value, range pairs; range -1 =
// none) and approaches (Float64Array: 0, 1, 2) from an options object.
SnapArgs snapArgs(const Napi::Object& o);
std::vector<SnapResult> snapAll(const LoadedMap& map, const double* coords, size_t count, const SnapArgs& args);

// { location: [lon, lat] (1e-6), distance (m), name }, plus edge and fraction when `detailed`.
Napi::Object snapToJs(Napi::Env env, const LoadedMap& map, const SnapResult& s, bool detailed);

}  // namespace waymark::js
