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
std::vector<SnapResult> snapAll(const LoadedMap& map, const double* coords, size_t count, double radius,
                                const std::vector<double>& radii);

// Options object field: number (default) or Float64Array of per-point radii.
void radiusOptions(const Napi::Object& o, double& radius, std::vector<double>& radii);

}  // namespace waymark::js
