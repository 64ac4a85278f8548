#pragma once
// Shared by the local-search operators: try replacing one or two routes by new sequences; apply
// only when every changed route is feasible (exact evaluation) and the objective goes down.
#include <chrono>
#include <cstdint>
#include <limits>
#include <vector>

#include "vrp/structures/neighbors.h"
#include "vrp/structures/solution.h"

namespace waymark::vrp {

struct MoveScratch {
  std::vector<uint32_t> a, b;
  // Steady-clock seconds after which operators give up their scan (one scan of a large instance
  // takes long enough to overrun a time limit).
  double deadline_s = std::numeric_limits<double>::infinity();
  bool expired() const {
    return deadline_s != std::numeric_limits<double>::infinity() &&
           std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count() >= deadline_s;
  }
};

inline bool tryReplace(const Problem& p, Solution& s, uint32_t va, const std::vector<uint32_t>& ra, int32_t vb,
                       const std::vector<uint32_t>* rb) {
  const RouteTotals ta = evaluateRoute(p, va, ra);
  if (!ta.feasible) return false;
  int64_t before = s.totals[va].cost, after = ta.cost;
  RouteTotals tb;
  if (vb != kNone) {
    tb = evaluateRoute(p, vb, *rb);
    if (!tb.feasible) return false;
    before += s.totals[vb].cost;
    after += tb.cost;
  }
  if (after >= before) return false;
  s.routes[va] = ra;
  s.refresh(p, va);
  if (vb != kNone) {
    s.routes[vb] = *rb;
    s.refresh(p, vb);
  }
  return true;
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
bool forEachInterRoutePair(const Problem& p, const Solution& s, const Neighbors& nb, const MoveScratch& m, F&& fn) {
  for (uint32_t t = 0; t < p.taskCount(); ++t) {
    if (s.route_of[t] == kNone) continue;
    if (m.expired()) return false;
    for (uint32_t k = 0; k < nb.k; ++k) {
      const uint32_t u = nb.of(t)[k];
      if (s.route_of[u] == kNone || s.route_of[u] == s.route_of[t]) continue;
      if (fn(t, u, static_cast<uint32_t>(s.route_of[t]), static_cast<uint32_t>(s.route_of[u]))) return true;
    }
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
