#pragma once
// Shared by the local-search operators: try replacing one or two routes by new sequences; apply
// only when every changed route is feasible and the objective goes down. A move describes its new
// routes as pieces of the current ones (tryPieces): where the segment data is exact
// (RouteSegments::fast) it is judged in O(pieces) from cached prefix and suffix summaries, and
// only an accepted move builds its routes; elsewhere the routes are built and evaluated exactly.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <vector>

#include "common/error.h"
#include "vrp/algorithms/clock.h"
#include "vrp/structures/neighbors.h"
#include "vrp/structures/route_segments.h"
#include "vrp/structures/solution.h"

namespace waymark::vrp {

struct MoveScratch {
  std::vector<uint32_t> a, b;
  // Steady-clock seconds after which operators give up their scan (one scan of a large instance
  // takes long enough to overrun a time limit).
  double deadline_s = std::numeric_limits<double>::infinity();
  // Route cost is its arcs plus the fixed cost (no per_task_hour costs, whose setups depend on the
  // neighbours): a move's cost can then be judged before the exact evaluation.
  bool arc_costs_only = false;
  // Operators scan tasks from here and leave it at the task of their last applied move, so that
  // a scan after an improvement resumes there instead of re-checking every earlier task.
  uint32_t cursor = 0;
  // When set, scans only move the tasks marked 1 (a warm start: the routes that changed).
  const std::vector<uint8_t>* only = nullptr;
  bool skip(uint32_t t) const { return only && !(*only)[t]; }
  // When set, the solution is soft (Solution::soft) and moves are judged on the penalised cost:
  // the routes' costs plus their weighted excess load and time warp (the hybrid genetic search's
  // education, Vidal 2012). Every other constraint stays hard.
  const PenaltyWeights* penalty = nullptr;
  // The weighted excess of route v (0 without penalties): what a move's cost may rise by and still
  // improve, so the operators' cost-only prefilters subtract it.
  double excess(const Solution& s, uint32_t v) const {
    return penalty ? penalty->load * double(s.totals[v].excess_load) + penalty->time_warp * double(s.totals[v].time_warp) : 0.0;
  }
  RouteSegments segments;
  // Per operator and task: nextRouteVersion() when the operator last tried every move of the task
  // and none improved (0: never). A move depends only on the routes it changes, so while neither
  // has a newer version it still does not improve and is skipped (Vidal 2022's whenLastTested):
  // the same answers, without re-checking unchanged route pairs on every round.
  static constexpr uint32_t kOperators = 8;
  std::vector<uint64_t> tested;
  uint32_t op = 0;  // the operator running (its index in the local search's list)
  uint64_t testedSince(uint32_t t) const { return tested[size_t(op) * task_count + t]; }
  bool unchanged(const Solution& s, uint64_t since, uint32_t va, uint32_t vb) const {
    return since != 0 && s.version[va] < since && s.version[vb] < since;
  }
  void markTested(uint32_t t) { tested[size_t(op) * task_count + t] = nextRouteVersion(); }
  uint32_t task_count = 0;
  // Tests: every answer of the segment path is checked against the exact evaluation (throws).
  bool verify = false;
  explicit MoveScratch(const Problem& p) : segments(p), tested(size_t(kOperators) * p.taskCount(), 0), task_count(p.taskCount()) {
    // The routes it starts with may come from other threads' blocks of versions (search threads
    // take theirs after the caller's): this thread's next versions are to be above all of them.
    freshRouteVersions();
    arc_costs_only = true;
    for (int64_t c : p.task_hour_cost) arc_costs_only = arc_costs_only && c == 0;
  }
  bool expired() const {
    return deadline_s != std::numeric_limits<double>::infinity() &&
           searchNow() >= deadline_s;
  }
  // The i-th task of a scan of T tasks starting at the cursor.
  uint32_t task(uint32_t i, uint32_t T) const { return cursor + i < T ? cursor + i : cursor + i - T; }
};

// Travel cost of a route plus its fixed cost when used: its whole cost when m.arc_costs_only.
inline int64_t arcRouteCost(const Problem& p, uint32_t v, const std::vector<uint32_t>& route) {
  if (route.empty()) return 0;
  const VehicleType& type = p.typeOf(v);
  int64_t c = p.fixed_cost[v];
  int32_t here = p.start[v];
  for (uint32_t t : route) {
    const int32_t to = static_cast<int32_t>(p.location[t]);
    if (here != kNone) c += type.travelCost(here, to);
    here = to;
  }
  if (p.end[v] != kNone) c += type.travelCost(here, p.end[v]);
  return c;
}

// A lower bound of a route's excess load in a soft evaluation: the jobs' deliveries all ride from
// the start, so the load there is at least their sum.
inline int64_t startExcessLoad(const Problem& p, uint32_t v, const std::vector<uint32_t>& route) {
  int64_t excess = 0;
  for (uint32_t d = 0; d < p.dims; ++d) {
    int64_t load = 0;
    for (uint32_t t : route)
      if (p.kind[t] == TaskKind::kJob) load += p.delivery[size_t(t) * p.dims + d];
    excess += std::max<int64_t>(load - p.capacity[size_t(v) * p.dims + d], 0);
  }
  return excess;
}

// A move's acceptance: with penalties the penalised cost goes down; without, the cost goes down and
// neither the excess load nor the time warp grows.
inline bool improves(const MoveScratch& m, int64_t cost_delta, int64_t load_delta, int64_t warp_delta) {
  if (m.penalty) return double(cost_delta) + m.penalty->load * double(load_delta) + m.penalty->time_warp * double(warp_delta) < -1e-9;
  return cost_delta < 0 && load_delta <= 0 && warp_delta <= 0;
}

inline bool tryReplace(const Problem& p, Solution& s, const MoveScratch& m, uint32_t va, const std::vector<uint32_t>& ra, int32_t vb,
                       const std::vector<uint32_t>* rb) {
  if (m.arc_costs_only) {
    // Cheap cost check first: most candidates do not improve (with penalties: not even if they
    // removed all the excess the two routes have).
    int64_t before = s.totals[va].cost, after = arcRouteCost(p, va, ra);
    if (vb != kNone) before += s.totals[vb].cost, after += arcRouteCost(p, vb, *rb);
    if (!m.penalty && after >= before) return false;
    if (m.penalty) {
      int64_t excess = startExcessLoad(p, va, ra);
      if (vb != kNone) excess += startExcessLoad(p, vb, *rb);
      if (double(after - before) + m.penalty->load * double(excess) >= m.excess(s, va) + (vb != kNone ? m.excess(s, uint32_t(vb)) : 0.0))
        return false;
    }
  }
  const RouteTotals ta = evaluateRoute(p, va, ra, nullptr, s.soft);
  if (!ta.feasible) return false;
  int64_t before = s.totals[va].cost, after = ta.cost;
  int64_t load_delta = ta.excess_load - s.totals[va].excess_load, warp_delta = ta.time_warp - s.totals[va].time_warp;
  RouteTotals tb;
  if (vb != kNone) {
    tb = evaluateRoute(p, vb, *rb, nullptr, s.soft);
    if (!tb.feasible) return false;
    before += s.totals[vb].cost;
    after += tb.cost;
    load_delta += tb.excess_load - s.totals[vb].excess_load;
    warp_delta += tb.time_warp - s.totals[vb].time_warp;
  }
  if (!improves(m, after - before, load_delta, warp_delta)) return false;
  s.routes[va] = ra;
  s.refresh(p, va);
  if (vb != kNone) {
    s.routes[vb] = *rb;
    s.refresh(p, vb);
  }
  return true;
}

// Replaces route va (and vb unless kNone) by the given pieces of the current routes, if that is
// feasible and improves (tryReplace's rules), judged from the segment data where it is exact.
inline bool tryPieces(const Problem& p, Solution& s, MoveScratch& m, uint32_t va, const RoutePiece* a_pieces, size_t a_count, int32_t vb,
                      const RoutePiece* b_pieces, size_t b_count) {
  struct Span {
    const RoutePiece* p;
    size_t n;
    const RoutePiece* begin() const { return p; }
    size_t size() const { return n; }
  };
  const Span a{a_pieces, a_count}, b{b_pieces, b_count};
  RouteSegments& seg = m.segments;
  auto build = [&] {
    m.a.clear();
    RouteSegments::materialize(s, a.begin(), a.size(), m.a);
    m.b.clear();
    if (vb != kNone) RouteSegments::materialize(s, b.begin(), b.size(), m.b);
  };
  if (!seg.fast(va, s.soft) || (vb != kNone && !seg.fast(uint32_t(vb), s.soft))) {
    build();
    return tryReplace(p, s, m, va, m.a, vb, vb != kNone ? &m.b : nullptr);
  }
  const int64_t cost_a = seg.cost(s, va, a.begin(), a.size()), cost_b = vb != kNone ? seg.cost(s, uint32_t(vb), b.begin(), b.size()) : 0;
  if (m.verify) {
    build();
    if (cost_a != arcRouteCost(p, va, m.a) || (vb != kNone && cost_b != arcRouteCost(p, uint32_t(vb), m.b)))
      throw Error("Internal", "a local-search move's cost from route segments disagrees with the route's arcs");
  }
  int64_t before = s.totals[va].cost, after = cost_a;
  if (vb != kNone) before += s.totals[vb].cost, after += cost_b;
  // Even removing all the excess the two routes have would not make up for the cost.
  if (double(after - before) >= m.excess(s, va) + (vb != kNone ? m.excess(s, uint32_t(vb)) : 0.0)) return false;
  const FastTotals ta = seg.evaluate(s, va, a.begin(), a.size(), s.soft);
  const FastTotals tb = vb != kNone ? seg.evaluate(s, uint32_t(vb), b.begin(), b.size(), s.soft) : FastTotals{};
  if (m.verify) {
    build();
    auto check = [&](uint32_t v, const std::vector<uint32_t>& route, const FastTotals& fast) {
      const RouteTotals exact = evaluateRoute(p, v, route, nullptr, s.soft);
      if (exact.feasible != fast.feasible ||
          (exact.feasible && (exact.cost != fast.cost || exact.excess_load != fast.excess_load || exact.time_warp != fast.time_warp)))
        throw Error("Internal", "a local-search move's evaluation from route segments disagrees with the exact route evaluation");
    };
    check(va, m.a, ta);
    if (vb != kNone) check(uint32_t(vb), m.b, tb);
  }
  if (!ta.feasible || !tb.feasible) return false;
  int64_t load_delta = ta.excess_load - s.totals[va].excess_load, warp_delta = ta.time_warp - s.totals[va].time_warp;
  if (vb != kNone) {
    load_delta += tb.excess_load - s.totals[vb].excess_load;
    warp_delta += tb.time_warp - s.totals[vb].time_warp;
  }
  if (!improves(m, after - before, load_delta, warp_delta)) return false;
  build();
  s.routes[va] = m.a;
  s.refresh(p, va);
  if (vb != kNone) {
    s.routes[vb] = m.b;
    s.refresh(p, uint32_t(vb));
  }
  return true;
}

inline bool tryPieces(const Problem& p, Solution& s, MoveScratch& m, uint32_t va, std::initializer_list<RoutePiece> a, int32_t vb,
                      std::initializer_list<RoutePiece> b) {
  return tryPieces(p, s, m, va, a.begin(), a.size(), vb, b.begin(), b.size());
}

inline int64_t indexOf(const std::vector<uint32_t>& route, uint32_t t) {
  for (size_t i = 0; i < route.size(); ++i)
    if (route[i] == t) return int64_t(i);
  return -1;
}

// Calls fn(t, u, va, vb) for every assigned task t and neighbour u of t assigned to another route
// (va = route of t, vb = route of u); returns true as soon as fn does (a move was applied), false
// when none does or the deadline passed.
template <typename F>
bool forEachInterRoutePair(const Problem& p, const Solution& s, const Neighbors& nb, MoveScratch& m, F&& fn) {
  const uint32_t T = p.taskCount();
  for (uint32_t i = 0; i < T; ++i) {
    const uint32_t t = m.task(i, T);
    if (s.route_of[t] == kNone || m.skip(t)) continue;
    if (m.expired()) return false;
    const uint64_t since = m.testedSince(t);
    for (uint32_t k = 0; k < nb.k; ++k) {
      const uint32_t u = nb.of(t)[k];
      if (s.route_of[u] == kNone || s.route_of[u] == s.route_of[t]) continue;
      const uint32_t va = static_cast<uint32_t>(s.route_of[t]), vb = static_cast<uint32_t>(s.route_of[u]);
      if (m.unchanged(s, since, va, vb)) continue;
      if (fn(t, u, va, vb)) {
        m.cursor = t;
        return true;
      }
    }
    m.markTested(t);
  }
  return false;
}

// Each operator scans tasks and their neighbours, applies the first improving move it finds and
// returns true, or returns false when none improves.
bool relocate(const Problem& p, Solution& s, const Neighbors& nb, MoveScratch& m);
bool swapTasks(const Problem& p, Solution& s, const Neighbors& nb, MoveScratch& m);
bool twoOptStar(const Problem& p, Solution& s, const Neighbors& nb, MoveScratch& m);
bool twoOpt(const Problem& p, Solution& s, const Neighbors& nb, MoveScratch& m);
bool orOpt(const Problem& p, Solution& s, const Neighbors& nb, MoveScratch& m);
bool crossExchange(const Problem& p, Solution& s, const Neighbors& nb, MoveScratch& m);
bool swapStar(const Problem& p, Solution& s, const Neighbors& nb, MoveScratch& m);
bool relocatePair(const Problem& p, Solution& s, const Neighbors& nb, MoveScratch& m);

}  // namespace waymark::vrp
