// Swap: exchange two neighbouring jobs between (or within) routes.
#include "vrp/algorithms/moves.h"

namespace waymark::vrp {

bool swapTasks(const Problem& p, Solution& s, const Neighbors& nb, MoveScratch& m) {
  const uint32_t T = p.taskCount();
  for (uint32_t step = 0; step < T; ++step) {
    const uint32_t t = m.task(step, T);
    if (m.skip(t)) continue;
    if (p.kind[t] != TaskKind::kJob || s.route_of[t] == kNone) continue;
    if (m.expired()) return false;
    for (uint32_t k = 0; k < nb.k; ++k) {
      const uint32_t u = nb.of(t)[k];
      if ((u < t && !m.skip(u)) || p.kind[u] != TaskKind::kJob || s.route_of[u] == kNone) continue;
      const uint32_t va = static_cast<uint32_t>(s.route_of[t]), vb = static_cast<uint32_t>(s.route_of[u]);
      if (va == vb) {
        m.a = s.routes[va];
        std::swap(m.a[indexOf(m.a, t)], m.a[indexOf(m.a, u)]);
        if (tryReplace(p, s, m, va, m.a, kNone, nullptr)) {
          m.cursor = t;
          return true;
        }
      } else {
        if (!p.compatible(vb, t) || !p.compatible(va, u)) continue;
        const int64_t i = indexOf(s.routes[va], t), j = indexOf(s.routes[vb], u);
        if (m.arc_costs_only) {
          // Each route: the other task in place of its own, judged on the four arcs around them.
          auto delta = [&](uint32_t v, int64_t at, uint32_t out, uint32_t in) {
            const auto& R = s.routes[v];
            const VehicleType& ty = p.typeOf(v);
            const int32_t x = locationAt(p, v, R, at - 1), y = locationAt(p, v, R, at + 1);
            const int32_t lo = static_cast<int32_t>(p.location[out]), li = static_cast<int32_t>(p.location[in]);
            return arcCost(ty, x, li) + arcCost(ty, li, y) - arcCost(ty, x, lo) - arcCost(ty, lo, y);
          };
          if (double(delta(va, i, t, u) + delta(vb, j, u, t)) >= m.excess(s, va) + m.excess(s, vb)) continue;
        }
        m.a = s.routes[va];
        m.b = s.routes[vb];
        m.a[i] = u;
        m.b[j] = t;
        if (tryReplace(p, s, m, va, m.a, int32_t(vb), &m.b)) {
          m.cursor = t;
          return true;
        }
      }
    }
  }
  return false;
}

}  // namespace waymark::vrp
