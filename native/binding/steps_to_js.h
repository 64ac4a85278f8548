#pragma once
// Turn-by-turn steps across the N-API seam as a few flat typed arrays (one set per route, every leg
// in it) instead of an object per step and intersection: building JS objects natively cost more than
// finding the steps. src/routing/steps.ts reads them back into OSRM's step objects.
#include <napi.h>

#include <vector>

#include "guidance/route_step.h"
#include "pipeline/loaded_map.h"

namespace waymark::js {

// Numbers per step in `numbers` (the order src/routing/steps.ts reads them in).
constexpr size_t kStepFields = 15;
// Numbers per intersection in `intersections`.
constexpr size_t kIntersectionFields = 5;

// { legEnd: Uint32Array (steps of leg k end at legEnd[k]), numbers: Float64Array, intersections:
// Float64Array, bearings: Uint16Array, entry: Uint8Array, names: string[] }.
Napi::Object stepsToJs(Napi::Env env, const LoadedMap& map, const std::vector<std::vector<RouteStep>>& legs);

// The names of ManeuverType and Modifier values, by value.
Napi::Object maneuverNamesToJs(Napi::Env env);

}  // namespace waymark::js
