#pragma once
// Turn-by-turn guidance for one leg: classifies each junction of the leg's road pieces the way a
// driver thinks (no step for a straight continuation on the same street, one for a roundabout,
// ramps, forks, ends of road, ferries) and gathers the pieces between maneuvers into steps.
#include <vector>

#include "guidance/route_step.h"
#include "pipeline/loaded_map.h"
#include "route/route.h"

namespace waymark {

// Ring length (metres) above which a roundabout is announced as a rotary.
constexpr double kRotaryMinRingM = 250.0;

// `coordinates` is the route geometry the legs' pieces index into (lon, lat pairs); the destination is
// the requested (unsnapped) end of the last leg, which decides the side the arrival is announced on.
// Consecutive legs joined at via points (not waypoints) make one set of steps: no arrival and
// departure there, a straight pass is no step, turning back is a U-turn step.
std::vector<RouteStep> buildSteps(const LoadedMap& map, const std::vector<const RouteLegResult*>& legs, const std::vector<double>& coordinates,
                                  double destination_lon, double destination_lat);

inline std::vector<RouteStep> buildSteps(const LoadedMap& map, const RouteLegResult& leg, const std::vector<double>& coordinates,
                                         double destination_lon, double destination_lat) {
  return buildSteps(map, std::vector<const RouteLegResult*>{&leg}, coordinates, destination_lon, destination_lat);
}

}  // namespace waymark
