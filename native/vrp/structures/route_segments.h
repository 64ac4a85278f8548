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
#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
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
  // moves = false (the insertion): only what insertionFeasible and the loads need is cached; cost(),
  // range() and evaluate() need moves = true.
  explicit RouteSegments(const Problem& p, bool moves = true);
  // Whether the feasibility of a route of vehicle v comes exactly from segments when the route's
  // own tasks keep their order and the tasks added to it are compatible with v (the insertion:
  // pinned tasks and per-task-hour costs do not matter there).
  bool feasibleFast(uint32_t v) const { return tasks_fast_ && vehicle_fast_[v]; }
  // Whether every route of vehicle v made of pieces is evaluated exactly (cost included) from
  // segments (soft: a soft evaluation's excess load is the largest sum over dimensions along the
  // route, one dimension's peak only with one).
  bool fast(uint32_t v, bool soft = false) const { return problem_fast_ && vehicle_fast_[v] && (!soft || p_.dims <= 1); }
  // Deliveries (dimension d) of every job of the route of v: its load at the start.
  int64_t startLoad(const Solution& s, uint32_t v, uint32_t d) {
    const size_t n = s.routes[v].size();
    return n ? data(s, v).delivery[(n - 1) * p_.dims + d] : 0;
  }
  // Pickups (dimension d) of every job of the route of v: its load at the end.
  int64_t endLoad(const Solution& s, uint32_t v, uint32_t d) {
    const size_t n = s.routes[v].size();
    return n ? data(s, v).pickup[(n - 1) * p_.dims + d] : 0;
  }
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
  bool insertionFeasible(const Solution& s, uint32_t v, uint32_t i, uint32_t x) { return insertionFeasible(s, v, i, x, nullptr); }
  // The same, with the travel times into x and out of it (0 next to an open end) given by the
  // caller (the insertion scan has them when the cost matrix is the duration matrix: two scattered
  // reads of a large matrix were most of this check).
  bool insertionFeasible(const Solution& s, uint32_t v, uint32_t i, uint32_t x, int64_t into, int64_t out) {
    const int64_t known[2] = {into, out};
    return insertionFeasible(s, v, i, x, known);
  }
  // Finds (once, O(locations^2) per vehicle type: the insertion calls it before its first scan, so
  // that short-lived users pay nothing) which constraints can never bind: time windows when no
  // route can reach the earliest closing time (timeFree), a vehicle's travel-time and distance
  // limits when no route can reach them. insertionFeasible then skips those checks.
  void prepareInsertion();
  bool timeFree() const { return time_free_; }
  // After prepareInsertion(): vehicle v's travel-time and distance limits never bind.
  bool limitsFree(uint32_t v) const { return limits_free_[v] != 0; }
  // matrix transposed (out[x * L + a] = m[a * L + x]): the costs into x as one row.
  static std::vector<int32_t> transposed(const std::vector<int32_t>& m, size_t L);
  // Whether the L x L matrix m equals its transpose (then a row also gives the costs into a location).
  static bool symmetric(const std::vector<int32_t>& m, size_t L);
  // Largest matrix that gets a transposed copy for the scans (16 MB of int32).
  static constexpr size_t kMaxTransposed = 2048;
  // Whether job x fits at every position of the route of v (exact, sufficient, not necessary): time
  // and limits never bind and the route's largest load plus x's larger amount fits every
  // dimension. The caller checks compatibility and the task count.
  bool insertionFitsAnywhere(const Solution& s, uint32_t v, uint32_t x) {
    if (!time_free_ || !limits_free_[v]) return false;
    const size_t n = s.routes[v].size();
    const uint32_t D = p_.dims;
    const RouteData* c = n ? &data(s, v) : nullptr;
    for (uint32_t d = 0; d < D; ++d) {
      const int64_t peak = c ? c->prefix_peak[(n - 1) * D + d] : 0;
      if (peak + std::max(p_.delivery[size_t(x) * D + d], p_.pickup[size_t(x) * D + d]) > p_.capacity[size_t(v) * D + d]) return false;
    }
    return true;
  }
  // Insertion mode: the locations of the route of v (n) and the costs of its gaps (n + 1: start to
  // the first task, ..., the last task to the end; 0 next to an open end), for the insertion scan.
  const int32_t* locations(const Solution& s, uint32_t v) { return data(s, v).location.data(); }
  const int32_t* gapCosts(const Solution& s, uint32_t v) { return data(s, v).gap_cost.data(); }
  // Insertion mode with time windows (not timeFree()), feasibleFast(v): the positions of route v
  // where job x could be on time at all, as if every trip took no time, and per position the same
  // bound. Exact necessary conditions of insertionFeasible (travel times are never negative): a
  // scan skips every other position without reading the matrices.
  struct OnTime {
    uint32_t first = 1, last = 0;  // positions [first, last]; none when first > last
    const int64_t* departure = nullptr;  // the schedule's departure from each task
    const int64_t* latest = nullptr;     // the latest arrival at each task (kNever: none)
    int64_t start = 0, end = 0;          // the vehicle's window
    int64_t opening = 0, service = 0;    // x's
    // Whether x may fit before index i of a route of n tasks (i in [first, last]).
    bool possible(uint32_t i, uint32_t n) const {
      const int64_t leave = i > 0 ? departure[i - 1] : start;
      return std::max(leave, opening) + service <= (i < n ? latest[i] : end);
    }
  };
  OnTime onTime(const Solution& s, uint32_t v, uint32_t x);
  // Insertion mode with time windows, fast(v), route v feasible: the time the exact evaluation
  // (evaluateRoute) reaches the end of route v with job x inserted before index i, the insertion
  // being feasible. From the cached schedule: only the tasks after i whose departure moves are
  // visited (the schedule rejoins the old one at the first task that leaves at the same time).
  // With no setup and no breaks the route's waiting is this end time minus the vehicle's start,
  // the travel time and the service.
  int64_t endAfterInsertion(const Solution& s, uint32_t v, uint32_t i, uint32_t x) { return endAfterInsertion(s, v, i, x, nullptr); }
  // The same with the travel times into x and out of it known (see insertionFeasible).
  int64_t endAfterInsertion(const Solution& s, uint32_t v, uint32_t i, uint32_t x, int64_t into, int64_t out) {
    const int64_t known[2] = {into, out};
    return endAfterInsertion(s, v, i, x, known);
  }
  // The cached data of route r at `version` (when cached) is kept aside when the route changes,
  // until another version is kept, and used again if the route returns to that version: SISR
  // keeps each route's version from before an iteration, which its undo puts back when the
  // iteration is refused (most are), instead of rebuilding it.
  void keep(uint32_t r, uint64_t version) {
    if (kept_.empty()) {
      kept_.resize(routes_.size());
      keep_version_.assign(routes_.size(), 0);
    }
    keep_version_[r] = version;
  }
  // Insertion mode with time windows, fast(v): completes `totals`, route v's after tasks were removed
  // from a feasible route, whose cost, travel time, distance and service already follow (detours):
  // the waiting from the schedule of the cached data (built for the route's current version, which
  // the caller renewed) and feasibility. False where the route is not certainly feasible (a
  // matrix without the triangle inequality can make a removal late): the caller evaluates it.
  bool afterRemoval(const Solution& s, uint32_t v, RouteTotals& totals);
  // Check every insertion-mode rebuild that reuses an earlier version's data against a rebuild from
  // scratch, and throw Internal on any difference (the fast path is only ever confirmed by the
  // slow obvious one).
  void setVerify(bool verify) { verify_ = verify; }
  static constexpr int64_t kNever = std::numeric_limits<int64_t>::min() / 4;
  // Appends the pieces' tasks to `out`.
  static void materialize(const Solution& s, const RoutePiece* pieces, size_t count, std::vector<uint32_t>& out);

 private:
  // Flat per-route arrays (k indexes tasks): cheap to rebuild when a route changes.
  struct RouteData {
    uint64_t version = 0;
    std::vector<int32_t> location;
    std::vector<TwSegment> prefix_tw, suffix_tw;  // tasks [0, k + 1) and [k, n)
    // Arcs inside tasks [0, k + 1): cost (also read backwards), distance and time.
    std::vector<int64_t> arc_cost, reverse_cost, arc_distance, arc_time;
    int64_t start_cost = 0, end_cost = 0;  // of the arcs from the start and to the end
    // Per task x dims: deliveries and pickups of tasks [0, k + 1), peaks of tasks [0, k + 1) and [k, n).
    std::vector<int64_t> delivery, pickup, prefix_peak, suffix_peak;
    std::vector<int32_t> gap_cost;  // insertion mode: see gapCosts()
    // Insertion mode: the tasks the data was built from and the travel times of the gaps (like
    // gap_cost). A patch after an edit (a job inserted, a string removed, a route put back)
    // reuses the arcs of the gaps whose two ends were neighbours before and reads only the new
    // arcs from the matrices: the scattered reads were most of a rebuild (on large matrices, see
    // kReuseArcsFrom).
    std::vector<uint32_t> task;
    std::vector<int32_t> gap_time;
    // Insertion mode with time windows (one per task where exact): the latest arrival at task k
    // from which it and the rest of the route are on time (kNever: none), and the first task the
    // schedule below reaches after its window closed (n: none). An insertion is then two
    // comparisons (Savelsbergh's forward slack, equivalent to concatenating the time-window
    // segments (depot, tasks before), x, (tasks after, depot)).
    std::vector<int64_t> latest;
    size_t first_late = 0;
    // Insertion mode with time windows: the exact evaluation's schedule (leaving the start at the
    // vehicle's earliest time, service at the first moment the window allows): the departure from
    // each task and the arrival at the end (see endAfterInsertion).
    std::vector<int64_t> departure;
    int64_t end_time = 0;
  };
  const RouteData& data(const Solution& s, uint32_t r) {
    const RouteData& c = routes_[r];
    return c.version == s.version[r] ? c : refreshData(s, r);
  }
  // The kept data when it is the route's (swapped in), otherwise a rebuild (the kept data moved
  // aside first when the data to rebuild over is the version to keep).
  const RouteData& refreshData(const Solution& s, uint32_t r);
  // Route r's data from nothing, every arc read from the matrices: the moves' data, and in
  // insertion mode the check of every patch() under verify.
  const RouteData& rebuild(const Solution& s, uint32_t r);
  // Insertion mode: route r's data from ref, the data of an earlier version of the route (ref may
  // be routes_[r] itself): what the two task sequences share at the start keeps its values, what
  // they share at the end keeps them shifted, and only the part between is computed (a SISR edit,
  // an insertion or a string removal, changes one place of a route: about half the work of a
  // rebuild, and no arc read but the new ones).
  const RouteData& patch(const Solution& s, uint32_t r, const RouteData* ref);
  // patch() with time windows: the schedule and the segments with the depots, tasks [0, pre) kept,
  // the last `post` of m earlier tasks moved to the end.
  void patchSchedule(RouteData& c, uint32_t r, const std::vector<uint32_t>& route, size_t pre, size_t post, size_t m);
  bool verify_ = false;
  // known: the travel times into x and out of it, or null (then read from the matrix).
  bool insertionFeasible(const Solution& s, uint32_t v, uint32_t i, uint32_t x, const int64_t* known);
  int64_t endAfterInsertion(const Solution& s, uint32_t v, uint32_t i, uint32_t x, const int64_t* known);
  int64_t arc(uint32_t v, int32_t a, int32_t b) const { return arcCost(p_.typeOf(v), a, b); }
  const Problem& p_;
  bool tasks_fast_ = false;    // jobs with one time window and no setup, few dimensions
  bool problem_fast_ = false;  // and nothing pinned, no per-task-hour cost
  bool all_compatible_ = false;
  bool moves_ = true;
  bool prepared_ = false;
  bool time_free_ = false;            // after prepareInsertion(): time windows never bind
  std::vector<uint8_t> limits_free_;  // per vehicle, after prepareInsertion(): its limits never bind
  // Per vehicle type, after prepareInsertion() where time windows bind: travel times into each
  // location as one row (the time-window check's arc into the task is otherwise a scattered
  // column read); empty when the matrix is symmetric (its rows serve) or large.
  std::vector<std::vector<int32_t>> duration_into_;
  std::vector<uint8_t> duration_symmetric_;
  std::vector<uint8_t> duration_is_cost_;
  // After prepareInsertion() where time windows bind: per task, its first window and service as a
  // segment (one read where the schedule is patched, not three).
  std::vector<TwSegment> node_;  // per vehicle type, after prepareInsertion() where time windows bind
  std::vector<uint8_t> vehicle_fast_;
  std::vector<RouteData> routes_;
  // Per route, after keep(): the data of the version to keep (once it changed), and that version.
  std::vector<RouteData> kept_;
  std::vector<uint64_t> keep_version_;
  // Insertion mode, patch scratch: per task, 1 + its index in the route's earlier data (0 when
  // not in it); all zeros between patches. And the new gaps, built beside the old ones.
  std::vector<uint32_t> old_index_;
  // Smallest matrix (locations) whose patches reuse arcs: below it the matrices stay in cache.
  static constexpr uint32_t kReuseArcsFrom = 256;
  std::vector<int32_t> new_gap_cost_, new_gap_time_;
  // Insertion mode: gap_cost and gap_time of route r for its current tasks (into c), every arc read
  // from the matrices (rebuild()).
  void rebuildGaps(RouteData& c, uint32_t r, const std::vector<uint32_t>& route, bool with_time);
};

inline SegmentSummary RouteSegments::task(uint32_t t) const {
  SegmentSummary x;
  x.count = 1;
  x.first = x.last = static_cast<int32_t>(p_.location[t]);
  const TimeWindow& w = p_.tw[p_.tw_first[t]];
  x.tw = TwSegment::node(p_.service[t], w.start, w.end);
  for (uint32_t d = 0; d < p_.dims; ++d) {
    x.delivery[d] = p_.delivery[size_t(t) * p_.dims + d];
    x.pickup[d] = p_.pickup[size_t(t) * p_.dims + d];
    x.peak[d] = std::max(x.delivery[d], x.pickup[d]);
  }
  return x;
}

inline SegmentSummary RouteSegments::concat(const SegmentSummary& a, const SegmentSummary& b, uint32_t v) const {
  if (a.count == 0) return b;
  if (b.count == 0) return a;
  const VehicleType& type = p_.typeOf(v);
  SegmentSummary x;
  x.count = a.count + b.count;
  x.first = a.first;
  x.last = b.last;
  x.cost = a.cost + b.cost + type.travelCost(a.last, b.first);
  x.distance = a.distance + b.distance + type.travelDistance(a.last, b.first);
  const int64_t travel = type.travelTime(a.last, b.first);
  x.time = a.time + b.time + travel;
  x.tw = waymark::vrp::concat(a.tw, b.tw, travel);
  // While a runs, b's deliveries are on board too; while b runs, a's pickups.
  for (uint32_t d = 0; d < p_.dims; ++d) {
    x.delivery[d] = a.delivery[d] + b.delivery[d];
    x.pickup[d] = a.pickup[d] + b.pickup[d];
    x.peak[d] = std::max(a.peak[d] + b.delivery[d], b.peak[d] + a.pickup[d]);
  }
  return x;
}

inline int64_t RouteSegments::cost(const Solution& s, uint32_t v, const RoutePiece* pieces, size_t count) {
  // Arcs the new route shares with the current ones (from the start, between neighbours of one
  // route, to the end) come from the cached sums; only new arcs are read from the matrix, which
  // is where the time goes (cache misses).
  const uint32_t type = p_.vehicle_type[v];
  int64_t c = 0;
  int32_t here = p_.start[v];
  int32_t prev_route = kNone;  // the previous piece, when it ran forward on this type: its route
  uint32_t prev_end = 0;       // and the index after it
  bool used = false;
  for (size_t i = 0; i < count; ++i) {
    const RoutePiece& q = pieces[i];
    if (q.begin >= q.end) continue;
    if (q.route == kNone) {
      const int32_t l = static_cast<int32_t>(p_.location[q.begin]);
      c += arc(v, here, l);
      here = l;
      used = true;
      prev_route = kNone;
      continue;
    }
    const auto& route = s.routes[q.route];
    const bool same_type = p_.vehicle_type[q.route] == type;
    const int32_t lb = static_cast<int32_t>(p_.location[route[q.begin]]), le = static_cast<int32_t>(p_.location[route[q.end - 1]]);
    const int32_t first = q.reversed ? le : lb, last = q.reversed ? lb : le;
    if (same_type) {
      const RouteData& d = data(s, uint32_t(q.route));
      if (!used && q.route == int32_t(v) && q.begin == 0 && !q.reversed) c += d.start_cost;
      else if (used && !q.reversed && prev_route == q.route && prev_end == q.begin) c += d.arc_cost[q.begin] - d.arc_cost[q.begin - 1];
      else c += arc(v, used ? here : p_.start[v], first);
      const auto& sums = q.reversed ? d.reverse_cost : d.arc_cost;
      c += sums[q.end - 1] - sums[q.begin];
      prev_route = q.reversed ? kNone : q.route;
      prev_end = q.end;
    } else {
      c += arc(v, used ? here : p_.start[v], first);
      for (uint32_t k = q.begin; k + 1 < q.end; ++k) {
        const int32_t x = static_cast<int32_t>(p_.location[route[k]]), y = static_cast<int32_t>(p_.location[route[k + 1]]);
        c += q.reversed ? arc(v, y, x) : arc(v, x, y);
      }
      prev_route = kNone;
    }
    here = last;
    used = true;
  }
  if (!used) return 0;
  if (prev_route == int32_t(v) && prev_end == s.routes[v].size()) c += data(s, v).end_cost;
  else c += arc(v, here, p_.end[v]);
  return c + p_.fixed_cost[v];
}

}  // namespace waymark::vrp
