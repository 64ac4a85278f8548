// Swap: exchange two neighbouring jobs between (or within) routes.
#include "vrp/algorithms/moves.h"

namespace waymark::vrp {

bool swapTasks(const Problem& p, Solution& s, const Neighbors& nb, MoveScratch& m) {
  for (uint32_t t = 0; t < p.taskCount(); ++t) {
    if (p.kind[t] != TaskKind::kJob || s.route_of[t] == kNone) continue;
    if (m.expired()) return false;
    for (uint32_t k = 0; k < nb.k; ++k) {
      const uint32_t u = nb.of(t)[k];
      if (u < t || p.kind[u] != TaskKind::kJob || s.route_of[u] == kNone) continue;
      const uint32_t va = static_cast<uint32_t>(s.route_of[t]), vb = static_cast<uint32_t>(s.route_of[u]);
      if (va == vb) {
        m.a = s.routes[va];
        std::swap(m.a[indexOf(m.a, t)], m.a[indexOf(m.a, u)]);
        if (tryReplace(p, s, va, m.a, kNone, nullptr)) return true;
      } else {
        if (!p.compatible(vb, t) || !p.compatible(va, u)) continue;
        m.a = s.routes[va];
        m.b = s.routes[vb];
        m.a[indexOf(m.a, t)] = u;
        m.b[indexOf(m.b, u)] = t;
        if (tryReplace(p, s, va, m.a, int32_t(vb), &m.b)) return true;
      }
    }
  }
  return false;
}

}  // namespace waymark::vrp
