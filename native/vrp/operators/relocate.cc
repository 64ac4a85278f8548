// Relocate: move one job next to one of its neighbours (either side), within or across routes.
#include "vrp/algorithms/moves.h"

namespace waymark::vrp {

bool relocate(const Problem& p, Solution& s, const Neighbors& nb, MoveScratch& m) {
  for (uint32_t t = 0; t < p.taskCount(); ++t) {
    if (p.kind[t] != TaskKind::kJob || s.route_of[t] == kNone) continue;
    if (m.expired()) return false;
    const uint32_t va = static_cast<uint32_t>(s.route_of[t]);
    for (uint32_t k = 0; k < nb.k; ++k) {
      const uint32_t u = nb.of(t)[k];
      if (s.route_of[u] == kNone) continue;
      const uint32_t vb = static_cast<uint32_t>(s.route_of[u]);
      if (!p.compatible(vb, t)) continue;
      for (int side = 0; side < 2; ++side) {
        m.a = s.routes[va];
        m.a.erase(m.a.begin() + indexOf(m.a, t));
        if (va == vb) {
          const int64_t j = indexOf(m.a, u) + side;
          m.a.insert(m.a.begin() + j, t);
          if (m.a == s.routes[va]) continue;
          if (tryReplace(p, s, va, m.a, kNone, nullptr)) return true;
        } else {
          m.b = s.routes[vb];
          const int64_t j = indexOf(m.b, u) + side;
          m.b.insert(m.b.begin() + j, t);
          if (tryReplace(p, s, va, m.a, int32_t(vb), &m.b)) return true;
        }
      }
    }
  }
  return false;
}

}  // namespace waymark::vrp
