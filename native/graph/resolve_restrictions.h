#pragma once
// Turn restriction relations (OSM ids) -> restrictions on road-graph edges. Via-node restrictions
// become (from edge, via node, to edge) triples; via-way restrictions become edge paths in travel
// order. Several from ways (no_entry) or to ways (no_exit) expand into one restriction per pair.
// Where a from or to way passes *through* the via node, the edge is the one that can be travelled
// in the restriction's direction; if that leaves a choice, the manoeuvre the value names (left,
// right, straight, U-turn) decides; if it still does, the relation is ignored and counted.
#include <cstdint>
#include <vector>

#include "graph/build_road_graph.h"

namespace waymark {

struct RestrictionResolveInput {
  const OsmCollector& osm;
  const std::vector<int64_t>& unique_ids;      // sorted OSM node ids
  const std::vector<uint32_t>& junction_id;    // per unique id: graph node, or kNoNodeId
  const std::vector<uint32_t>& way_first_edge; // per collected way part: its first edge (CSR)
};

// Appends to g.restriction_* and g.via_way_*; counts into report.
void resolveRestrictions(const RestrictionResolveInput& in, RoadGraph& g, RoadGraphReport& report);

}  // namespace waymark
