#include "metric/speed_model.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"

namespace waymark {

void applySpeedModel(const LoadedMap& base, MetricWeights& w, const SpeedModel& model) {
  const EdgeBasedView& eb = base.eb;
  const uint32_t edges = base.road.edgeCount();
  if (model.speed_factor.size() != edges || model.speed_limit_kmh.size() != edges || model.priority.size() != edges)
    throw Error("InvalidArgument", "a speed model needs one factor, limit and priority per edge");
  if (!(model.distance_influence_s_per_km >= 0 && std::isfinite(model.distance_influence_s_per_km)))
    throw Error("InvalidValue", "distance_influence must be a finite number >= 0");
  constexpr double kMaxMs = 4e9;
  for (uint32_t s = 0; s < eb.segmentCount(); ++s) {
    const uint32_t e = eb.segment_edge_dir[s] >> 1;
    const double factor = model.speed_factor[e], limit = model.speed_limit_kmh[e], priority = model.priority[e];
    if (!(factor >= 0) || !(limit >= 0) || !(priority >= 0) || !std::isfinite(factor) || !std::isfinite(priority))
      throw Error("InvalidValue", "speed factors, limits and priorities must be numbers >= 0");
    const double metres = eb.segment_length_cm[s] / 100.0;
    const double base_ms = base.travel_segment_ms[s];
    if (factor == 0 || limit == 0 || priority == 0) {
      closeSegment(base, w, s);
      continue;
    }
    double travel_ms = base_ms / factor;
    if (metres > 0 && std::isfinite(limit)) travel_ms = std::max(travel_ms, metres / (limit / 3.6) * 1000.0);
    const double weight_ms = travel_ms / priority + model.distance_influence_s_per_km * metres;  // s/km * m = ms
    setSegmentCost(base, w, s, static_cast<uint32_t>(std::llround(std::min(weight_ms, kMaxMs))),
                   static_cast<uint32_t>(std::llround(std::min(travel_ms, kMaxMs))));
  }
  w.weight_is_travel_time = false;
}

}  // namespace waymark
