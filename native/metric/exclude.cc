#include "metric/exclude.h"

#include "common/error.h"
#include "osm/profile.h"

namespace waymark {

uint8_t excludeClassOf(const std::string& name) {
  if (name == "motorway") return kExcludeMotorway;
  if (name == "toll") return kExcludeToll;
  if (name == "ferry") return kExcludeFerry;
  if (name == "unpaved") return kExcludeUnpaved;
  throw Error("InvalidValue", "exclude: unknown class '" + name + "' (motorway, toll, ferry, unpaved)");
}

bool edgeExcluded(const RoadMap& road, uint32_t e, uint8_t classes) {
  const uint8_t road_class = road.edge_class[e], flags = road.edge_flags[e];
  if ((classes & kExcludeMotorway) && road_class == kMotorway) return true;  // motorway and motorway_link
  if ((classes & kExcludeToll) && (flags & kFlagToll)) return true;
  if ((classes & kExcludeFerry) && ((flags & kFlagFerry) || road_class == kFerry)) return true;
  if ((classes & kExcludeUnpaved) && (flags & kFlagUnpaved)) return true;
  return false;
}

void applyExclude(const LoadedMap& base, MetricWeights& w, uint8_t classes) {
  const EdgeBasedView& eb = base.eb;
  std::vector<uint8_t> excluded(base.road.edgeCount());
  for (uint32_t e = 0; e < base.road.edgeCount(); ++e) excluded[e] = edgeExcluded(base.road, e, classes);
  // Copies of via-way restriction paths are segments of the same edge: closed alike.
  for (uint32_t s = 0; s < eb.segmentCount(); ++s)
    if (excluded[eb.segment_edge_dir[s] >> 1]) closeSegment(base, w, s);
}

}  // namespace waymark
