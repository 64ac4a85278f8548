#pragma once
// OSM ways -> node-based road graph: node ids compacted to 0..n-1, ways split at junctions, blocking
// barriers turned into dead ends, turn restrictions mapped onto edges, degree-2 chains compressed,
// and only the largest strongly connected component kept (so every snapped point can be routed).
#include "common/progress.h"
#include "graph/road_graph.h"
#include "osm/osm_collector.h"

namespace waymark {

struct RoadGraphReport {
  uint64_t osm_nodes_used = 0;
  uint64_t edges_before_compression = 0;
  uint64_t edges_after_compression = 0;
  uint64_t nodes_dropped_outside_largest_component = 0;
  uint64_t edges_dropped_outside_largest_component = 0;
  // Restriction relations that apply to the profile (see ImportStats for those skipped earlier):
  uint64_t restrictions_applied = 0;      // relations turned into at least one restriction
  uint64_t restrictions_unmapped = 0;     // a member way or via node is not in the graph
  uint64_t restrictions_ambiguous = 0;    // a way through the via node leaves the edge undecided
  uint64_t restrictions_disconnected = 0; // members do not meet (from/via/to do not share nodes)
  // What the graph holds after compression and component selection:
  uint64_t restrictions_mapped = 0;       // via-node restrictions on edges
  uint64_t via_way_restrictions = 0;      // via-way restrictions as edge paths
};

RoadGraph buildRoadGraph(const OsmCollector& osm, const ProgressFn& progress, RoadGraphReport& report,
                         bool keep_all_components = false);

// Merges chains through nodes where a road merely continues (two edges, same attributes, no
// restriction or barrier there). Restriction edge ids are remapped.
void compressDegreeTwoChains(RoadGraph& g);

// Keeps the largest strongly connected component of the node graph; drops everything else.
void keepLargestComponent(RoadGraph& g, RoadGraphReport& report);

}  // namespace waymark
