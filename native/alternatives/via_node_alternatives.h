#pragma once
// Alternative routes by the via-node method on the CH (Abraham, Delling, Goldberg, Werneck: "Alternative
// routes in road networks"): every node reached by both upward searches is a via-node candidate;
// the path s -> v -> t it gives is admissible when it
//   - has bounded stretch: costs at most (1 + max_stretch) times the best route,
//   - shares little: at most max_sharing of the best route's duration with the best route and with
//     every alternative accepted before it,
//   - is locally optimal: the T-test, the sub-path of local_optimality times the best route's
//     duration centred on v is itself a shortest path (checked with a CH query),
//   - has no loop (no road segment twice).
#include <cstdint>
#include <vector>

#include "pipeline/loaded_map.h"
#include "route/leg.h"

namespace waymark {

struct AlternativeOptions {
  double max_stretch = 0.25;
  double max_sharing = 0.8;
  double local_optimality = 0.25;
  uint32_t max_candidates = 64;  // distinct via paths examined, cheapest first
};

// Up to `count` admissible alternatives to `best` (the shortest leg between the same points), best
// first. Empty when the points share a road segment (the search then has no via node to vary).
std::vector<LegPath> alternativeLegs(const LoadedMap& map, CHQuery& query, const SnapResult& from, const SnapResult& to, const LegPath& best,
                                     uint32_t count, const AlternativeOptions& options = {});

}  // namespace waymark

#include "route/route.h"

namespace waymark {

// The best route between two snapped points followed by up to `count` admissible alternatives, each
// a full route. Throws NoRoute when there is none at all.
std::vector<RouteResult> routeWithAlternatives(const LoadedMap& map, const SnapResult& from, const SnapResult& to, bool with_geometry,
                                               uint32_t count, const AlternativeOptions& options = {}, bool with_osm_nodes = false);

}  // namespace waymark
