#pragma once
// Via-way turn restrictions on the edge-based graph, exactly: the segments along a restriction's via
// path are duplicated, and the copies are entered only from its from segment, so a copy "knows" the
// path driven so far and can drop (no_*) or force (only_*) the turn at its end. Overlapping
// restrictions share copies through a trie of paths with Aho–Corasick failure links: a copy also
// obeys every restriction whose path is a suffix of the path it stands for.
#include <cstdint>

#include "graph/edge_based_graph.h"
#include "graph/road_graph.h"

namespace waymark {

// Rewrites eb's turns (and appends copy segments). Returns how many restriction paths could not be
// expressed on the segments (a direction not drivable, or a turn on the path already missing):
// such a manoeuvre cannot be driven, so nothing is lost.
uint64_t applyViaWayRestrictions(const RoadGraph& g, EdgeBasedGraph& eb);

}  // namespace waymark
