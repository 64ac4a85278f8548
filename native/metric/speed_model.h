#pragma once
// A custom vehicle model, evaluated per edge by the caller (src/routing/custom-model.ts compiles
// GraphHopper's statements into three numbers per edge): travel time from the base speed times
// `speed_factor`, capped at `speed_limit_kmh`; weight = travel time / priority + distance_influence
// seconds per km. A speed or priority of 0 closes the road.
#include <span>

#include "metric/metric.h"

namespace waymark {

struct SpeedModel {
  std::span<const double> speed_factor;     // per edge
  std::span<const double> speed_limit_kmh;  // per edge (infinity: none)
  std::span<const double> priority;         // per edge
  double distance_influence_s_per_km = 0;
};

void applySpeedModel(const LoadedMap& base, MetricWeights& w, const SpeedModel& model);

}  // namespace waymark
