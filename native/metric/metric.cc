#include "metric/metric.h"

#include <algorithm>
#include <chrono>

#include "common/error.h"
#include "graph/road_graph.h"
#include "graph/scc.h"
#include "metric/customize_hierarchy.h"

namespace waymark {

MetricWeights weightsOf(const LoadedMap& map) {
  const EdgeBasedView& eb = map.eb;
  MetricWeights w;
  w.segment_weight.assign(eb.segment_duration.begin(), eb.segment_duration.end());
  w.segment_travel_ms.assign(map.travel_segment_ms.begin(), map.travel_segment_ms.end());
  w.turn_weight.assign(eb.turn_weight.begin(), eb.turn_weight.end());
  w.turn_travel_ms.assign(map.travel_turn_ms.begin(), map.travel_turn_ms.end());
  w.segment_flags.assign(eb.segment_flags.begin(), eb.segment_flags.end());
  w.weight_is_travel_time = map.weight_is_travel_time;
  return w;
}

void setSegmentCost(const LoadedMap& base, MetricWeights& w, uint32_t s, uint32_t weight, uint32_t travel_ms) {
  const EdgeBasedView& eb = base.eb;
  for (uint32_t i = eb.turn_first[s]; i < eb.turn_first[s + 1]; ++i) {
    if (eb.turn_weight[i] == kNotAllowed || w.turn_weight[i] == kNotAllowed) continue;  // closed (base, or an exclusion applied first): stays closed
    const int64_t turn_weight = int64_t(eb.turn_weight[i]) - eb.segment_duration[s];
    const int64_t turn_travel = int64_t(base.travel_turn_ms[i]) - base.travel_segment_ms[s];
    w.turn_weight[i] = static_cast<uint32_t>(std::clamp<int64_t>(weight + std::max<int64_t>(0, turn_weight), 0, kNotAllowed - 1));
    w.turn_travel_ms[i] = static_cast<uint32_t>(std::clamp<int64_t>(travel_ms + std::max<int64_t>(0, turn_travel), 0, kNotAllowed - 1));
  }
  w.segment_weight[s] = weight;
  w.segment_travel_ms[s] = travel_ms;
}

void closeSegment(const LoadedMap& base, MetricWeights& w, uint32_t s) {
  const EdgeBasedView& eb = base.eb;
  for (uint32_t i = eb.turn_first[s]; i < eb.turn_first[s + 1]; ++i) w.turn_weight[i] = kNotAllowed;
  w.segment_flags[s] &= static_cast<uint8_t>(~(kSegmentInLargestComponent | kSegmentInSmallComponent));
}

void markComponents(const EdgeBasedView& eb, MetricWeights& w) {
  const uint32_t n = eb.segmentCount();
  std::vector<uint32_t> first_out(n + 1, 0), head;
  head.reserve(eb.turn_head.size());
  for (uint32_t s = 0; s < n; ++s) {
    for (uint32_t i = eb.turn_first[s]; i < eb.turn_first[s + 1]; ++i)
      if (w.turn_weight[i] != kNotAllowed) head.push_back(eb.turn_head[i]);
    first_out[s + 1] = static_cast<uint32_t>(head.size());
  }
  uint32_t largest = 0;
  const std::vector<uint32_t> component = stronglyConnectedComponents(first_out, head, largest);
  for (uint32_t s = 0; s < n; ++s) {
    // Open: snappable on the map and not closed by this metric (closeSegment clears the bit).
    const bool open = w.segment_flags[s] & (kSegmentInLargestComponent | kSegmentInSmallComponent);
    uint8_t f = static_cast<uint8_t>(w.segment_flags[s] & ~(kSegmentInLargestComponent | kSegmentInSmallComponent));
    if (open) f |= component[s] == largest ? kSegmentInLargestComponent : kSegmentInSmallComponent;
    w.segment_flags[s] = f;
  }
}

std::shared_ptr<const LoadedMap> buildMetric(const LoadedMap& base, MetricWeights weights, std::string key, uint64_t version,
                                             unsigned threads) {
  const EdgeBasedView& eb = base.eb;
  if (weights.segment_weight.size() != eb.segmentCount() || weights.turn_weight.size() != eb.turn_head.size() ||
      weights.turn_travel_ms.size() != eb.turn_head.size() || weights.segment_travel_ms.size() != eb.segmentCount() ||
      weights.segment_flags.size() != eb.segmentCount())
    throw Error("InvalidArgument", "metric weights do not match the map's edge-based graph");
  const auto t0 = std::chrono::steady_clock::now();
  markComponents(eb, weights);
  auto data = std::make_shared<MetricData>();
  data->key = std::move(key);
  data->version = version;
  std::vector<uint32_t> arc_distance(eb.turn_head.size());
  for (uint32_t s = 0; s < eb.segmentCount(); ++s)
    for (uint32_t i = eb.turn_first[s]; i < eb.turn_first[s + 1]; ++i) arc_distance[i] = eb.segment_length_cm[s];
  data->ch = customizeHierarchy(base, weights.turn_weight, arc_distance, threads);
  if (!weights.weight_is_travel_time)
    accumulateAlongArcs(data->ch, eb, weights.turn_weight, weights.turn_travel_ms, data->up_travel_ms, data->down_travel_ms);
  data->customize_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  data->weights = std::move(weights);
  return std::make_shared<const LoadedMap>(base, std::shared_ptr<const MetricData>(data));
}

}  // namespace waymark
