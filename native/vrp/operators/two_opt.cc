// 2-opt: reverse the part of a route between a task and a neighbour in the same route.
#include <algorithm>

#include "vrp/algorithms/moves.h"

namespace waymark::vrp {

bool twoOpt(const Problem& p, Solution& s, const Neighbors& nb, MoveScratch& m) {
  const uint32_t T = p.taskCount();
  for (uint32_t step = 0; step < T; ++step) {
    const uint32_t t = m.task(step, T);
    if (m.skip(t)) continue;
    if (s.route_of[t] == kNone) continue;
    if (m.expired()) return false;
    const uint32_t v = static_cast<uint32_t>(s.route_of[t]);
    for (uint32_t k = 0; k < nb.k; ++k) {
      const uint32_t u = nb.of(t)[k];
      if (s.route_of[u] != int32_t(v)) continue;
      int64_t i = indexOf(s.routes[v], t), j = indexOf(s.routes[v], u);
      if (i > j) std::swap(i, j);
      // New arc t -> u: reverse the stretch after t up to and including u (or symmetrically).
      m.a = s.routes[v];
      std::reverse(m.a.begin() + i + 1, m.a.begin() + j + 1);
      if (m.a != s.routes[v] && tryReplace(p, s, m, v, m.a, kNone, nullptr)) {
        m.cursor = t;
        return true;
      }
    }
  }
  return false;
}

}  // namespace waymark::vrp
