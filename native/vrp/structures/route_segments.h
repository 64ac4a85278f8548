#pragma once
// Cached segment data of the routes of a solution (Vidal et al. 2013, Vidal 2022): per route the
// summaries of every prefix and suffix of its task sequence (travel cost, distance and time, the
// time-window segment, the load profile), refreshed lazily when a route's version changes. A route
// made of a few pieces (prefixes, suffixes, single tasks, short strings of other routes) is then
// evaluated in O(pieces) instead of O(length): the insertion's and the local-search operators'
// candidate moves.
//
// Exact where the route evaluation reduces to these sums, which `fast(v)` tells: every task a job
// with one time window and no setup, nothing pinned, no per-task-hour cost, a vehicle without
// breaks, at most kMaxFastDims capacity dimensions. Elsewhere callers use the exact evaluation.
#include <array>
#include <cstdint>
#include <vector>

#include "vrp/structures/segment.h"
#include "vrp/structures/solution.h"

namespace waymark::vrp {

constexpr uint32_t kMaxFastDims = 4;

// A sequence of tasks (no depots), summarised for O(1) concatenation.
struct SegmentSummary {
  uint32_t count = 0;  // tasks; 0 = the empty sequence (the other fields are then meaningless)
  int32_t first = kNone, last = kNone;  // first and last location
  int64_t cost = 0, distance = 0, time = 0;  // of the arcs inside the sequence
  TwSegment tw;
  // Per dimension: deliveries of the jobs (on board when the sequence begins), pickups (on board
  // when it ends) and the largest load along it counting only its own jobs' amounts.
  std::array<int64_t, kMaxFastDims> delivery{}, pickup{}, peak{};
};

// A piece of a new route: tasks [begin, end) of route `route` (reversed: read backwards), or the
// single task `begin` when route == kNone.
struct RoutePiece {
  int32_t route;
  uint32_t begin, end;
  bool reversed = false;
  static RoutePiece task(uint32_t t) { return {kNone, t, t + 1, false}; }
  static RoutePiece range(uint32_t v, uint32_t begin, uint32_t end, bool reversed = false) { return {int32_t(v), begin, end, reversed}; }
};

// What the exact evaluation (evaluateRoute, hard or soft) would answer for a route, from segments.
struct FastTotals {
  bool feasible = true;  // hard constraints (capacity and time windows too unless soft)
  int64_t cost = 0, excess_load = 0, time_warp = 0;
};

class RouteSegments {
 public:
  explicit RouteSegments(const Problem& p);
  // Whether the feasibility of a route of vehicle v comes exactly from segments when the route's
  // own tasks keep their order and the tasks added to it are compatible with v (the insertion:
  // pinned tasks and per-task-hour costs do not matter there).
  bool feasibleFast(uint32_t v) const { return tasks_fast_ && vehicle_fast_[v]; }
  // Whether every route of vehicle v made of pieces is evaluated exactly (cost included) from
  // segments (soft: a soft evaluation's excess load is the largest sum over dimensions along the
  // route, one dimension's peak only with one).
  bool fast(uint32_t v, bool soft = false) const { return problem_fast_ && vehicle_fast_[v] && (!soft || p_.dims <= 1); }
  // Summary of the whole route of v.
  SegmentSummary whole(const Solution& s, uint32_t v) { return range(s, v, 0, uint32_t(s.routes[v].size()), false, v); }
  // Summary of tasks [b, e) of route r of s, travelled with vehicle v's matrices.
  SegmentSummary range(const Solution& s, uint32_t r, uint32_t b, uint32_t e, bool reversed, uint32_t v);
  SegmentSummary task(uint32_t t) const;
  // a then b, travelled with vehicle v's matrices.
  SegmentSummary concat(const SegmentSummary& a, const SegmentSummary& b, uint32_t v) const;
  // Travel cost of the route of vehicle v made of these pieces, its fixed cost included when used
  // (the route's whole cost in a fast problem): O(pieces), for prefilters.
  int64_t cost(const Solution& s, uint32_t v, const RoutePiece* pieces, size_t count);
  // The whole evaluation of that route (soft: capacity and time windows measured as excess).
  // Long middle or reversed pieces cost their length; prefixes, suffixes and single tasks O(1).
  FastTotals evaluate(const Solution& s, uint32_t v, const RoutePiece* pieces, size_t count, bool soft);
  // evaluate() of route v with job x inserted before index i (hard), without building summaries:
  // the insertion's hot path. The caller checks x's compatibility and the task count.
  bool insertionFeasible(const Solution& s, uint32_t v, uint32_t i, uint32_t x);
  // Appends the pieces' tasks to `out`.
  static void materialize(const Solution& s, const RoutePiece* pieces, size_t count, std::vector<uint32_t>& out);

 private:
  struct RouteData {
    uint64_t version = 0;
    std::vector<SegmentSummary> prefix;  // prefix[k]: tasks [0, k)
    std::vector<SegmentSummary> suffix;  // suffix[k]: tasks [k, n)
    std::vector<int64_t> arc_cost;       // arc_cost[k]: cost of the arcs inside tasks [0, k + 1)
    std::vector<int64_t> reverse_cost;   // the same read backwards (arcs k + 1 -> k)
  };
  const RouteData& data(const Solution& s, uint32_t r);
  int64_t arc(uint32_t v, int32_t a, int32_t b) const;
  const Problem& p_;
  bool tasks_fast_ = false;    // jobs with one time window and no setup, few dimensions
  bool problem_fast_ = false;  // and nothing pinned, no per-task-hour cost
  bool all_compatible_ = false;
  std::vector<uint8_t> vehicle_fast_;
  std::vector<RouteData> routes_;
};

}  // namespace waymark::vrp
