#pragma once
// A solution: one task sequence per vehicle, cached route totals, and the unassigned tasks.
// The objective is lexicographic through a large penalty: serve as many (and as high-priority)
// tasks as possible first, then minimise cost.
#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include "vrp/algorithms/evaluate.h"
#include "vrp/structures/problem.h"

namespace waymark::vrp {

constexpr int64_t kUnassignedPenalty = 10'000'000'000LL;
constexpr int64_t kPriorityPenalty = 100'000'000LL;
// A task the vehicle steps pin must be served: leaving one out costs more than leaving out every
// free task (with up to 900,000 tasks the sum stays inside int64).
constexpr int64_t kPinnedPenalty = 10'000'000'000'000LL;

using Rng = std::mt19937_64;

// Costs of one unit of load above capacity and of one unit of time warp in a soft solution.
struct PenaltyWeights {
  double load = 0, time_warp = 0;
};

struct Solution {
  std::vector<std::vector<uint32_t>> routes;  // per vehicle
  std::vector<RouteTotals> totals;            // per vehicle
  std::vector<int32_t> route_of;              // per task: vehicle, or kNone when unassigned
  std::vector<uint64_t> version;              // per vehicle: unique per route content (for caches)
  int64_t cost = 0;
  int64_t penalty = 0;
  // Soft solutions (the hybrid genetic search's penalised education) evaluate their routes with
  // soft capacities and time windows; excess_load and time_warp are their routes' sums (0 when
  // not soft). Only hard solutions leave the search.
  bool soft = false;
  int64_t excess_load = 0, time_warp = 0;

  Solution() = default;
  Solution(const Problem& p);
  int64_t objective() const { return cost + penalty; }
  bool withinLimits() const { return excess_load == 0 && time_warp == 0; }
  // Re-evaluates route v after its sequence changed; keeps cost and route_of in step.
  void refresh(const Problem& p, uint32_t v);
  // Route v after an edit whose new totals the caller derived exactly (an insertion or removal
  // where nothing but capacity binds): the sums and the version follow without evaluating the
  // route, and route_of/penalty only for the tasks the edit added (a removal's caller already
  // unassigned its tasks). verify: evaluate the route all the same and throw Internal unless every
  // total agrees (the fast path is only ever confirmed by the exact evaluation).
  // renewed: the caller already gave route v a new version (renew) for its new sequence.
  void refreshKnown(const Problem& p, uint32_t v, const RouteTotals& known, std::span<const uint32_t> added, bool verify, bool renewed = false);
  // A new version for route v, whose sequence changed, before its totals follow (refreshKnown with
  // renewed): caches keyed by the version may then be built for the new sequence first.
  void renew(uint32_t v);
  // Recomputes everything from the sequences (after bulk edits).
  void refreshAll(const Problem& p);
  // The sums (cost, excess load, time warp), route_of and penalty from the routes and their totals as
  // they stand (after routes were copied in with their totals, as the region search merges them).
  void sumRoutes(const Problem& p);
  static int64_t penaltyOf(const Problem& p, uint32_t task) {
    return kUnassignedPenalty + p.priority[task] * kPriorityPenalty + (p.pinned(task) ? kPinnedPenalty : 0);
  }
};

// The version this thread's next route refresh (of any solution) will get. Versions are unique
// across threads and only grow within a thread, so a route this thread changes after reading the
// value gets a version at or above it. Within one thread's search that changes routes only itself
// (a local search: MoveScratch), a route whose version is below a value read earlier has not
// changed since, provided no route made by another thread is copied in after the reading (it may
// carry a lower version); freshRouteVersions() at the start makes every version that exists then
// lower than the thread's next ones.
uint64_t nextRouteVersion();
// Makes this thread take its next versions from a new block, above every version issued so far.
void freshRouteVersions();

// The objective plus the weighted excess (the objective itself for a hard or feasible solution).
inline double penalisedObjective(const Solution& s, const PenaltyWeights& w) {
  return double(s.objective()) + w.load * double(s.excess_load) + w.time_warp * double(s.time_warp);
}

// Location of position i of route v: -1 = start, size = end; kNone where the vehicle has none.
inline int32_t locationAt(const Problem& p, uint32_t v, const std::vector<uint32_t>& route, int64_t i) {
  if (i < 0) return p.start[v];
  if (i >= int64_t(route.size())) return p.end[v];
  return static_cast<int32_t>(p.location[route[i]]);
}

inline int64_t arcCost(const VehicleType& type, int32_t a, int32_t b) {
  return (a == kNone || b == kNone) ? 0 : type.travelCost(a, b);
}

}  // namespace waymark::vrp
