#pragma once
// Shared by the local-search operators: try replacing one or two routes by new sequences; apply
// only when every changed route is feasible (exact evaluation) and the objective goes down.
#include <cstdint>
#include <vector>

#include "vrp/structures/neighbors.h"
#include "vrp/structures/solution.h"

namespace waymark::vrp {

struct MoveScratch {
  std::vector<uint32_t> a, b;
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
