#pragma once
// Customization of a CCH topology with one metric: weights of the CCH arcs by lower-triangle
// enumeration in elimination order (a node's arcs only ever get cheaper through nodes below it),
// in parallel over the levels of the elimination tree; optionally perfect customization (upper and
// intermediate triangles, top down), after which arcs that are not shortest paths are dropped.
//
// The result is an ordinary ContractionHierarchy (node id == rank, middles for unpacking), so every
// query that runs on a CHGraph runs on a customized metric unchanged. Closed arcs (kNotAllowed)
// and arcs that only closed or unreachable paths could give are left out, so no query uses them.
#include <cstdint>
#include <span>
#include <vector>

#include "cch/cch_topology.h"
#include "ch/contraction.h"

namespace waymark {

// kNotAllowed (graph/road_graph.h, 0xFFFFFFFF) as an arc weight: closed.

struct CustomizeOptions {
  unsigned threads = 0;  // 0 = all cores
  bool perfect = false;
};

// arc_weight (ms, kNotAllowed = closed) and arc_distance (cm) are parallel to the turns of the
// edge-based graph (eb.turn_weight's order); an arc's distance is the length of its source segment.
// Paths of kNotAllowed ms or more count as closed.
// The distance of every turn: the length of the segment it leaves (cm).
std::vector<uint32_t> turnDistancesCm(const EdgeBasedView& eb);

ContractionHierarchy customizeCCH(const CCHTopology& topology, std::span<const uint32_t> arc_weight,
                                  std::span<const uint32_t> arc_distance, const CustomizeOptions& options);

// Scheduling knobs, for tests that must reach every multi-threaded path on a small map.
struct CustomizeTuning {
  // A node alone on its level near the top of the elimination tree is split across threads from
  // this many lower neighbours on.
  uint32_t split_min_lower_neighbours = 256;
  // Subtrees of at most max(this, nodes / (8 threads)) nodes are one task each.
  uint32_t min_task_nodes = 256;
};
ContractionHierarchy customizeCCH(const CCHTopology& topology, std::span<const uint32_t> arc_weight,
                                  std::span<const uint32_t> arc_distance, const CustomizeOptions& options,
                                  const CustomizeTuning& tuning);

}  // namespace waymark
