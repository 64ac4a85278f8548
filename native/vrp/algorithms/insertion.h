#pragma once
// Cheapest feasible insertion of one task (a job) or one shipment (pickup + delivery) into any
// route. Candidates are ranked by their exact cost delta (O(1) each from the cost matrix); the
// cheapest ones are confirmed with the exact route evaluation, skipping each with probability
// `blink` (SISR's blinks).
#include <cstdint>
#include <memory>
#include <vector>

#include "vrp/algorithms/soft_capacity.h"
#include "vrp/structures/neighbors.h"
#include "vrp/structures/route_segments.h"
#include "vrp/structures/solution.h"

namespace waymark::vrp {

struct Insertion {
  bool found = false;
  int64_t delta = 0;
  uint32_t vehicle = 0;
  uint32_t position = 0;   // insert before this index of the route
  uint32_t position2 = 0;  // shipments: the delivery goes before this index of the route with the pickup inserted
  // From the job scan: the route's version it read, and the costs of the arcs into the task, out
  // of it and the one it replaces (0 next to an open end); apply() reuses them on that version
  // instead of reading the matrices again (version 0: not known).
  uint64_t version = 0;
  int64_t arc_in = 0, arc_out = 0, arc_bypassed = 0;
};

class Inserter {
 public:
  // With neighbour lists, only routes holding one of the task's neighbours (and one empty vehicle of
  // each kind) are tried first; all routes only when none of those has a feasible place.
  // verify: also evaluate exactly wherever the O(1) path answers, and throw on any disagreement.
  explicit Inserter(const Problem& p, const Neighbors* neighbors = nullptr, bool verify = false);
  // `task` is a job or a shipment pickup (its delivery comes along).
  Insertion best(const Solution& s, uint32_t task, Rng& rng, double blink);
  // Asks the memory for what best(s, task) reads first (its neighbours and its matrix row at the
  // vehicles' start), while the caller is still busy with the task before it.
  void prefetch(uint32_t task) const;
  // Applies an insertion and refreshes the route: in O(1) from the route's totals where only
  // capacity can bind (incrementalTotals), from the detour and the cached schedule where time
  // windows bind but the segments are exact (timed_), otherwise by evaluating the route.
  void apply(Solution& s, uint32_t task, const Insertion& ins);
  // Whether route v's totals follow exactly from O(1) deltas when a job is inserted or removed:
  // jobs with one time window and no setup, no breaks, nothing pinned, no per-task-hour cost,
  // time windows and the vehicle's limits that can never bind (RouteSegments::prepareInsertion),
  // no window opening after the vehicle's start (so no waiting), a hard solution and a feasible
  // route. Cost, travel time and distance then change by the detour's arcs and service by the
  // job's; every route of compatible jobs within capacity is feasible. False until the first
  // scan prepared what it needs (short-lived inserters evaluate).
  bool incrementalTotals(const Solution& s, uint32_t v) const {
    return scan_prepared_ && !s.soft && incremental_[v] && s.totals[v].feasible;
  }
  // Whether route v's totals follow removals (removeFromTotals) where time windows may bind: the
  // waiting and feasibility then come from its segments (removalTotals).
  bool timedTotals(const Solution& s, uint32_t v) const { return scan_prepared_ && !s.soft && timed_[v] && s.totals[v].feasible; }
  // After the removals, route v renewed (Solution::renew): completes `totals` (RouteSegments::afterRemoval).
  bool removalTotals(const Solution& s, uint32_t v, RouteTotals& totals) { return timedTotals(s, v) && segments_.afterRemoval(s, v, totals); }
  // `totals` (route v's, incrementalTotals or timedTotals) with the job at index k of the route removed.
  void removeFromTotals(const Solution& s, uint32_t v, uint32_t k, RouteTotals& totals) const;
  // Whether this single route with `task` inserted at the given positions is feasible (exact): in
  // O(1) from cached segment data where that is exact (one time window per task, no setup, no
  // shipments, no breaks), otherwise by evaluating the whole route.
  bool feasible(const Solution& s, uint32_t task, uint32_t vehicle, uint32_t pos, uint32_t pos2);
  bool fastPathUsable(uint32_t vehicle, uint32_t task) const { return segments_.feasibleFast(vehicle) && !p_.pinned(task); }
  // Keeps the cached data of route v at this version when the route changes (see
  // RouteSegments::keep): for a route an undo may put back.
  void keep(uint32_t v, uint64_t version) {
    segments_.keep(v, version);
    if (keep_version_.empty()) keep_version_.assign(p_.vehicleCount(), 0);
    keep_version_[v] = version;
  }
  // Only the vehicles whose entry is non-zero take tasks from now on (null: all), for a search that
  // owns part of the routes (regionSearch). The caller keeps the vector alive.
  void restrictTo(const std::vector<uint8_t>* vehicles) { allowed_ = vehicles; }
  // Soft capacities (soft_capacity.h; null: off): the problem's capacities are the raised ones and a
  // job's place is chosen by its detour plus what it adds to its route's price above the real
  // capacities (the same for every place in a route: jobs deliver only). The answer's delta stays
  // the detour alone. The caller keeps `soft` alive while it is set.
  void softCapacity(const SoftCapacity* soft) {
    soft_ = soft && soft->active() ? soft : nullptr;
    zero_loads_.assign(2 * size_t(p_.dims), 0);
  }
  // Exact evaluation of the same insertion (for tests of the fast path).
  bool feasibleExact(const Solution& s, uint32_t task, uint32_t vehicle, uint32_t pos, uint32_t pos2);

 private:
  struct Candidate {
    int64_t delta;
    uint32_t vehicle, pos, pos2;
    bool operator<(const Candidate& o) const {
      return delta != o.delta ? delta < o.delta : vehicle != o.vehicle ? vehicle < o.vehicle : pos != o.pos ? pos < o.pos : pos2 < o.pos2;
    }
  };
  Insertion bestIn(const Solution& s, uint32_t task, Rng& rng, double blink, bool nearby_only);
  bool allowed(uint32_t v) const { return !allowed_ || (*allowed_)[v] != 0; }
  const std::vector<uint8_t>* allowed_ = nullptr;
  const SoftCapacity* soft_ = nullptr;
  // What a job adds to route v's price above capacity, in whole cost units (0 without soft capacities).
  int64_t excessPrice(const Solution& s, uint32_t v, uint32_t task) {
    if (!soft_ || p_.kind[task] != TaskKind::kJob) return 0;
    return excessPrice(s.routes[v].empty() ? zero_loads_.data() : routeLoads(s, v), v, task);
  }
  // The same for a route of v whose load sums (routeLoads) are `loads`.
  int64_t excessPrice(const int64_t* loads, uint32_t v, uint32_t task) const {
    // Rounded half away from zero exactly as std::llround, inline (that is a library call here,
    // 2 % of a replan's profile): the conversion truncates and the fraction left is exact.
    const double price = soft_->addedCost(p_, v, loads, task);
    const int64_t whole = int64_t(price);
    const double fraction = price - double(whole);
    return fraction >= 0.5 ? whole + 1 : fraction <= -0.5 ? whole - 1 : whole;
  }
  std::vector<int64_t> zero_loads_;  // an empty route's loads
  Insertion scanJob(const Solution& s, uint32_t task, Rng& rng, double blink);
  Insertion heapBest(const Solution& s, uint32_t task, Rng& rng, double blink);
  bool fastFeasible(const Solution& s, uint32_t task, uint32_t v, uint32_t pos);
  // Per vehicle type, after prepareScan(): whether its duration matrix is its cost matrix (the
  // scan's arc costs are then the feasibility check's travel times).
  std::vector<uint8_t> duration_is_cost_;
  // Before the first scan (short-lived inserters never pay for it): which constraints never bind
  // (RouteSegments::prepareInsertion) and which cost matrices are symmetric.
  void prepareScan();
  bool scan_prepared_ = false;
  std::vector<uint8_t> incremental_;  // per vehicle, after prepareScan(): see incrementalTotals()
  // Per vehicle, after prepareScan(): time windows may bind but the segments are exact for its
  // routes (RouteSegments::fast). An insertion's totals then follow from the detour and the
  // cached schedule (RouteSegments::endAfterInsertion gives the waiting) instead of evaluating
  // the whole route.
  std::vector<uint8_t> timed_;
  // Per vehicle type, after prepareScan(): where the detour's travel times and distances come from
  // (benchmarks' duration matrices double as costs, and their distances are all zero: each arc
  // read from another large matrix is a cache miss).
  enum class SameAs : uint8_t { kNothing, kCost, kDuration, kZero };
  std::vector<SameAs> duration_same_, distance_same_;
  // Adds to t (sign -1: subtracts) what job x between locations a and b adds to a route of v:
  // the arcs a -> x -> b instead of a -> b (without the arc a -> b when the route was empty) and
  // x's service.
  // cost_arcs: the costs of a -> x, x -> b and a -> b when known, or null.
  void addDetour(RouteTotals& t, uint32_t v, int32_t a, int32_t b, uint32_t x, int64_t sign, bool bypassed_arc = true,
                 const int64_t* cost_arcs = nullptr) const;
  std::vector<uint8_t> symmetric_;  // per vehicle type
  // Per vehicle type with an asymmetric cost matrix of at most kMaxTransposed locations: for each
  // location x one row of pairs {cost x -> a, cost a -> x}, a's pair at column column_[a]. The scan
  // reads both arcs between the task and a route's stop from one cache line (a column read of the
  // matrix otherwise), and the columns follow a nearest-neighbour chain so that the stops of a
  // route, close to each other, share lines (rows in location order would scatter them).
  // The rows start at pairs_[k] inside cost_pairs_[k], on a huge page (a row per scanned task,
  // each on other 4 KB pages otherwise: a TLB miss per task and per few stops).
  std::vector<std::unique_ptr<int32_t[]>> cost_pairs_;
  std::vector<const int32_t*> pairs_;
  // Instead of pairs_ where every cost of the type fits in 16 bits: {cost x -> a | cost a -> x << 16}
  // in one word (in cost_pairs_[k] too).
  std::vector<const uint32_t*> packed_;
  std::vector<std::vector<uint32_t>> column_;
  static std::vector<uint32_t> chainOrder(const std::vector<int32_t>& m, size_t L);
  // No reach limits, pinning or skills: every vehicle may serve every task (compatible() is an
  // out-of-line call per scanned route otherwise).
  bool all_compatible_ = false;
  bool scan_ok_ = false;  // every job and vehicle takes the O(1) path: scanJob instead of the heap
  bool verify_ = false;
  const Problem& p_;
  RouteSegments segments_;
  const Neighbors* neighbors_;
  std::vector<uint32_t> route_stamp_;  // per vehicle (+ one slot for "unassigned"): last call that took it
  uint32_t stamp_ = 0;
  // Vehicles identical in everything that matters to a route get one class: of several empty ones,
  // only the first needs trying.
  std::vector<uint32_t> vehicle_class_;
  std::vector<uint8_t> class_seen_;
  std::vector<std::vector<uint32_t>> class_members_;
  std::vector<uint32_t> vehicles_;  // the vehicles one search looks at
  // Per vehicle: the deliveries (dims) then the pickups (dims) of its route, its load at the start
  // and at the end. Two slots per vehicle, each with its route version: the current one
  // (recomputed when the route changed) and the version keep() named, which a refused SISR
  // iteration puts back.
  const int64_t* routeLoads(const Solution& s, uint32_t v);
  // Before vehicle v's current slot changes: when it holds the version keep() named, it goes to the
  // kept slot first.
  void stashKeptLoads(uint32_t v, int64_t* loads);
  void applyInsertion(Solution& s, uint32_t task, const Insertion& ins);
  std::vector<uint64_t> load_version_, keep_version_;
  std::vector<int64_t> route_loads_;
  std::vector<Candidate> candidates_;
  std::vector<uint32_t> scratch_;
};

// The tasks a full insertion places: every assignable job and shipment pickup (a delivery comes
// along with its pickup).
std::vector<uint32_t> insertableTasks(const Problem& p, const std::vector<uint8_t>& assignable);

}  // namespace waymark::vrp
