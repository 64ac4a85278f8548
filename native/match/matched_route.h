#pragma once
// The roads driven between consecutive matched points of a matching: one leg per pair, found on the
// CH between the two matched directed positions (the same costs the HMM's transitions used), with
// geometry and per-coordinate-pair annotations (metres, seconds).
#include <cstdint>
#include <string>
#include <vector>

#include "match/hmm_matcher.h"
#include "pipeline/loaded_map.h"

namespace waymark {

struct MatchedLeg {
  int64_t duration_ms = 0;
  int64_t distance_cm = 0;
  std::vector<uint32_t> segments;     // directed road segments, first and last partial
  double start_fraction = 0;          // along the first segment
  double end_fraction = 0;            // along the last segment
  std::vector<std::string> names;     // streets along the leg, consecutive duplicates merged
  uint32_t geometry_begin = 0;        // coordinate (pair) indices into the matching's geometry
  uint32_t geometry_end = 0;
  std::vector<double> pair_distance_m;  // per coordinate pair of the leg's geometry
  std::vector<double> pair_duration_s;
  std::vector<int64_t> osm_nodes;       // with node ids: per coordinate of the leg (see RouteLegResult)
};

struct MatchedRoute {
  double duration_s = 0;
  double distance_m = 0;
  double trace_m = 0;                 // great-circle length of the trace between its matched points
  std::vector<double> coordinates;    // lon, lat pairs
  std::vector<MatchedLeg> legs;
};

// Throws Error("Internal") if a leg cannot be found (the HMM only keeps reachable transitions).
MatchedRoute routeOfMatching(const LoadedMap& map, const MatchInput& input, const HmmResult& hmm, uint32_t matching,
                             const MatchOptions& options, bool with_geometry, bool with_osm_nodes = false);

}  // namespace waymark
