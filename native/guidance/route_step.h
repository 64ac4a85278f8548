#pragma once
// A turn-by-turn step as OSRM defines it: one maneuver and the road driven after it, up to the
// next maneuver. Plain data; the binding turns it into OSRM's JSON objects.
#include <cstdint>
#include <vector>

#include "guidance/maneuver.h"

namespace waymark {

// A junction passed during a step (the first one is the maneuver's).
struct StepIntersection {
  double lon = 0, lat = 0;
  std::vector<uint16_t> bearings;  // every road at the junction, ascending
  std::vector<uint8_t> entry;      // per bearing: may be driven into
  int32_t in = -1;                 // index of the road arrived by (-1 at departure)
  int32_t out = -1;                // index of the road left by (-1 at arrival)
};

struct RouteStep {
  ManeuverType type = ManeuverType::kTurn;
  Modifier modifier = Modifier::kNone;
  uint32_t exit = 0;  // roundabout exit number, 0 = none
  double lon = 0, lat = 0;
  uint16_t bearing_before = 0, bearing_after = 0;
  uint32_t name = 0;  // name id (0 = unnamed)
  uint32_t ref = 0;   // name id of the way's ref (0 = none)
  bool ferry = false;
  double duration_s = 0, distance_m = 0;
  uint32_t geometry_begin = 0, geometry_end = 0;  // coordinate pairs of the route geometry, inclusive
  std::vector<StepIntersection> intersections;
};

}  // namespace waymark
