#pragma once
// A metric: the map's edge-based graph with other weights (live traffic, excluded road classes, a
// custom vehicle model) and the hierarchy customized for them. Queries run on a LoadedMap *view* of
// a metric (same file, roads and snapping index; the metric's weights, snappable flags and
// hierarchy), so every query of the base map works on it unchanged, and the base map's own weights
// keep serving. Held by shared_ptr: a request in flight keeps the metric it started on.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ch/contraction.h"
#include "pipeline/loaded_map.h"

namespace waymark {

// Weights are what searches minimise (ms-equivalents); travel times are what answers report. They
// differ only for custom models (priority, distance influence).
struct MetricWeights {
  std::vector<uint32_t> segment_weight;     // per segment (whole length)
  std::vector<uint32_t> segment_travel_ms;  // per segment
  std::vector<uint32_t> turn_weight;        // per turn arc (parallel to eb.turn_head): source segment + turn; kNotAllowed = closed
  std::vector<uint32_t> turn_travel_ms;     // per turn arc
  std::vector<uint8_t> segment_flags;       // eb.segment_flags, snappable bit cleared on closed segments
  bool weight_is_travel_time = true;
};

// The weights of a map or metric view, as a starting point for another metric.
MetricWeights weightsOf(const LoadedMap& map);

// Sets a segment's own weight and travel time, keeping the turn costs of the arcs leaving it.
void setSegmentCost(const LoadedMap& base, MetricWeights& w, uint32_t segment, uint32_t weight, uint32_t travel_ms);
// Closes a segment: no arc leaves it and no endpoint snaps to it (arcs into it stay: dead end).
void closeSegment(const LoadedMap& base, MetricWeights& w, uint32_t segment);

struct MetricData {
  std::string key;       // what it is: "traffic:3", "traffic:3|exclude:ferry,toll", "model:..."
  uint64_t version = 0;  // traffic version it derives from (0 = the map's own weights)
  MetricWeights weights;
  ContractionHierarchy ch;  // weights and distances (cm) of the customized hierarchy
  std::vector<uint32_t> up_travel_ms, down_travel_ms;  // weight != travel time: travel ms along every arc
  double customize_ms = 0;
};

// Per metric, the strongly connected components of the edge-based graph over its open arcs:
// snappable segments (kSegmentInLargestComponent) are those of the largest; other open segments
// get kSegmentInSmallComponent (snapped to only when nothing of the largest is within the radius).
void markComponents(const EdgeBasedView& eb, MetricWeights& w);

// Customizes for `weights` (derived from `base`'s arrays) and returns the view to query.
std::shared_ptr<const LoadedMap> buildMetric(const LoadedMap& base, MetricWeights weights, std::string key, uint64_t version,
                                             unsigned threads = 0);

}  // namespace waymark
