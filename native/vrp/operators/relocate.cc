// Relocate: move one job next to one of its neighbours (either side), within or across routes.
#include "vrp/algorithms/moves.h"

namespace waymark::vrp {

bool relocate(const Problem& p, Solution& s, const Neighbors& nb, MoveScratch& m) {
  const uint32_t T = p.taskCount();
  for (uint32_t step = 0; step < T; ++step) {
    const uint32_t t = m.task(step, T);
    if (m.skip(t)) continue;
    if (p.kind[t] != TaskKind::kJob || s.route_of[t] == kNone) continue;
    if (m.expired()) return false;
    const uint64_t since = m.testedSince(t);
    const uint32_t va = static_cast<uint32_t>(s.route_of[t]);
    const auto& A = s.routes[va];
    const uint32_t n = uint32_t(A.size());
    const uint32_t i = uint32_t(indexOf(A, t));
    const int32_t lt = static_cast<int32_t>(p.location[t]);
    // Saving from taking t out of its route (arcs, and the fixed cost when it was alone).
    const VehicleType& ta = p.typeOf(va);
    const int32_t pa = locationAt(p, va, A, int64_t(i) - 1), na = locationAt(p, va, A, i + 1);
    const int64_t removal = arcCost(ta, pa, na) - arcCost(ta, pa, lt) - arcCost(ta, lt, na) - (A.size() == 1 ? p.fixed_cost[va] : 0);
    for (uint32_t k = 0; k < nb.k; ++k) {
      const uint32_t u = nb.of(t)[k];
      if (s.route_of[u] == kNone) continue;
      const uint32_t vb = static_cast<uint32_t>(s.route_of[u]);
      if (!p.compatible(vb, t) || m.unchanged(s, since, va, vb)) continue;
      for (uint32_t side = 0; side < 2; ++side) {
        if (va == vb) {
          // t goes before index j of the route without t.
          const uint32_t iu = uint32_t(indexOf(A, u));
          const uint32_t j = (iu > i ? iu - 1 : iu) + side;
          if (j == i) continue;  // the same route
          const bool moved = j < i ? tryPieces(p, s, m, va, {RoutePiece::range(va, 0, j), RoutePiece::task(t), RoutePiece::range(va, j, i), RoutePiece::range(va, i + 1, n)}, kNone, {})
                                   : tryPieces(p, s, m, va, {RoutePiece::range(va, 0, i), RoutePiece::range(va, i + 1, j + 1), RoutePiece::task(t), RoutePiece::range(va, j + 1, n)}, kNone, {});
          if (moved) {
            m.cursor = t;
            return true;
          }
          continue;
        }
        const auto& B = s.routes[vb];
        const uint32_t j = uint32_t(indexOf(B, u)) + side;  // t goes before index j
        if (m.arc_costs_only) {
          const VehicleType& tb = p.typeOf(vb);
          const int32_t x = locationAt(p, vb, B, int64_t(j) - 1), y = locationAt(p, vb, B, j);
          if (double(removal + arcCost(tb, x, lt) + arcCost(tb, lt, y) - arcCost(tb, x, y)) >= m.excess(s, va) + m.excess(s, vb)) continue;
        }
        if (tryPieces(p, s, m, va, {RoutePiece::range(va, 0, i), RoutePiece::range(va, i + 1, n)}, int32_t(vb),
                      {RoutePiece::range(vb, 0, j), RoutePiece::task(t), RoutePiece::range(vb, j, uint32_t(B.size()))})) {
          m.cursor = t;
          return true;
        }
      }
    }
    m.markTested(t);
  }
  return false;
}

}  // namespace waymark::vrp
