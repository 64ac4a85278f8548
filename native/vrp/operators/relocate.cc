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
    const uint32_t va = static_cast<uint32_t>(s.route_of[t]);
    const auto& A = s.routes[va];
    const int64_t i = indexOf(A, t);
    const int32_t lt = static_cast<int32_t>(p.location[t]);
    // Saving from taking t out of its route (arcs, and the fixed cost when it was alone).
    const VehicleType& ta = p.typeOf(va);
    const int32_t pa = locationAt(p, va, A, i - 1), na = locationAt(p, va, A, i + 1);
    const int64_t removal = arcCost(ta, pa, na) - arcCost(ta, pa, lt) - arcCost(ta, lt, na) - (A.size() == 1 ? p.fixed_cost[va] : 0);
    for (uint32_t k = 0; k < nb.k; ++k) {
      const uint32_t u = nb.of(t)[k];
      if (s.route_of[u] == kNone) continue;
      const uint32_t vb = static_cast<uint32_t>(s.route_of[u]);
      if (!p.compatible(vb, t)) continue;
      for (int side = 0; side < 2; ++side) {
        if (va != vb && m.arc_costs_only) {
          const auto& B = s.routes[vb];
          const int64_t j = indexOf(B, u) + side;  // t goes before index j
          const VehicleType& tb = p.typeOf(vb);
          const int32_t x = locationAt(p, vb, B, j - 1), y = locationAt(p, vb, B, j);
          if (double(removal + arcCost(tb, x, lt) + arcCost(tb, lt, y) - arcCost(tb, x, y)) >= m.excess(s, va) + m.excess(s, vb)) continue;
        }
        m.a = A;
        m.a.erase(m.a.begin() + i);
        if (va == vb) {
          const int64_t j = indexOf(m.a, u) + side;
          m.a.insert(m.a.begin() + j, t);
          if (m.a == A) continue;
          if (tryReplace(p, s, m, va, m.a, kNone, nullptr)) {
            m.cursor = t;
            return true;
          }
        } else {
          m.b = s.routes[vb];
          const int64_t j = indexOf(m.b, u) + side;
          m.b.insert(m.b.begin() + j, t);
          if (tryReplace(p, s, m, va, m.a, int32_t(vb), &m.b)) {
            m.cursor = t;
            return true;
          }
        }
      }
    }
  }
  return false;
}

}  // namespace waymark::vrp
