#pragma once
// Map matching with a hidden Markov model, after Newson & Krumm, "Hidden Markov Map Matching
// Through Noise and Sparseness" (2009). States of a GPS point: the travel directions of the roads
// within its search radius. Emission: Gaussian in the point's distance to the road (sigma = the
// point's GPS error). Transition: exponential in |route distance - great-circle distance| between
// consecutive points (scale beta). The most likely state sequence comes from Viterbi. Where no
// transition is plausible (unreachable, detour too long, impossible speed) or timestamps show a
// long gap, the trace is split and a new matching starts; points without any road in reach are
// dropped.
#include <cstdint>
#include <vector>

#include "pipeline/loaded_map.h"
#include "route/endpoints.h"
#include "spatial/snap_index.h"

namespace waymark {

struct MatchOptions {
  double default_sigma_m = 5;          // GPS error when a point has none
  double search_radius_factor = 3;     // candidates within this many sigmas
  double min_search_radius_m = 0;      // floor of the search radius
  double beta_m = 10;                  // transition scale
  uint32_t max_candidates = 10;        // nearest roads per point
  double max_detour_m = 2000;          // route distance may exceed the great-circle one by this much
  bool split_gaps = true;              // with timestamps: split where consecutive points are far apart in time
  double max_gap_s = 60;
  double max_speed_mps = 50;           // with timestamps: faster transitions are impossible (180 km/h)
  double uturn_penalty_m = 50;         // a U-turn at a fix costs as much as this much extra detour
  bool verify_transitions = false;     // tests: check every transition against plain Dijkstra (slow)
};

struct MatchInput {
  std::vector<double> coords;      // lon, lat pairs
  std::vector<double> sigmas;      // per point (metres), or empty
  std::vector<double> timestamps;  // per point (seconds, non-decreasing), or empty
};

struct MatchedPoint {
  int32_t matching = -1;    // -1: dropped
  uint32_t index_in_matching = 0;
  SnapResult snap;          // the matched road position
  SegmentPosition position{0, 0};
  uint32_t alternatives = 0;  // other roads with a plausible state at this point
  bool departs_reversed = false;  // the vehicle turned round here: it leaves against `position`
};

struct Matching {
  std::vector<uint32_t> points;  // input indices, in order
  double log_probability = 0;
};

struct HmmResult {
  std::vector<MatchedPoint> points;  // one per input point
  std::vector<Matching> matchings;
  uint64_t settled = 0;              // search effort, for benchmarks
  uint64_t verified = 0;             // transitions checked against plain Dijkstra (verify_transitions)
};

// Where the vehicle leaves a matched point: its position, or the reverse after a U-turn there.
SegmentPosition departurePosition(const EdgeBasedView& eb, const MatchedPoint& p);

// How far back along its road a point may lie behind the previous one and still count as no
// movement (GPS jitter of a standing vehicle): twice the larger of the two points' sigmas.
double backwardToleranceM(const MatchInput& input, const MatchOptions& options, size_t a, size_t b);

HmmResult matchTrace(const LoadedMap& map, const MatchInput& input, const MatchOptions& options);

}  // namespace waymark
