#pragma once
// The single seam between metrics and the customizer: arc weights parallel to the edge-based
// graph's turn arcs (eb.turn_head; kNotAllowed = closed) in, a hierarchy every CH query runs on out.
// Customizes the map's CCH topology (native/cch/customize.h): milliseconds on a city, seconds on a
// region, never a rebuild of the map.
#include <cstdint>
#include <span>

#include "ch/contraction.h"
#include "pipeline/loaded_map.h"

namespace waymark {

ContractionHierarchy customizeHierarchy(const LoadedMap& base, std::span<const uint32_t> arc_weight,
                                        std::span<const uint32_t> arc_distance, unsigned threads);

// For a hierarchy customized on `arc_weight`, the sum of `arc_value` along every arc's unpacked path
// (shortcuts through their middle node), per up and down arc. Lets a metric whose weight is not
// travel time report the travel time of the paths it chose (the second accumulated value of tables).
void accumulateAlongArcs(const ContractionHierarchy& ch, const EdgeBasedView& eb, std::span<const uint32_t> arc_weight,
                         std::span<const uint32_t> arc_value, std::vector<uint32_t>& up_value, std::vector<uint32_t>& down_value);

}  // namespace waymark
