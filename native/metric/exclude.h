#pragma once
// Excluded road classes (OSRM's `exclude`): motorways, toll roads, ferries, unpaved roads. Excluding
// closes every segment of such roads (metric.h: no arc leaves it, nothing snaps to it).
#include <cstdint>
#include <string>
#include <vector>

#include "metric/metric.h"

namespace waymark {

enum ExcludeClass : uint8_t {
  kExcludeMotorway = 1,
  kExcludeToll = 2,
  kExcludeFerry = 4,
  kExcludeUnpaved = 8,
};

// "motorway" -> kExcludeMotorway ...; throws InvalidValue for an unknown class.
uint8_t excludeClassOf(const std::string& name);
// Does edge e belong to any of the classes?
bool edgeExcluded(const RoadMap& road, uint32_t e, uint8_t classes);
void applyExclude(const LoadedMap& base, MetricWeights& w, uint8_t classes);

}  // namespace waymark
