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
    if (m.unchanged(s, m.testedSince(t), v, v)) continue;
    for (uint32_t k = 0; k < nb.k; ++k) {
      const uint32_t u = nb.of(t)[k];
      if (s.route_of[u] != int32_t(v)) continue;
      uint32_t i = uint32_t(indexOf(s.routes[v], t)), j = uint32_t(indexOf(s.routes[v], u));
      if (i > j) std::swap(i, j);
      // New arc t -> u: reverse the stretch after t up to and including u (or symmetrically).
      if (j <= i + 1) continue;  // a single task reversed: the same route
      const uint32_t n = uint32_t(s.routes[v].size());
      if (tryPieces(p, s, m, v, {RoutePiece::range(v, 0, i + 1), RoutePiece::range(v, i + 1, j + 1, true), RoutePiece::range(v, j + 1, n)}, kNone, {})) {
        m.cursor = t;
        return true;
      }
    }
    m.markTested(t);
  }
  return false;
}

}  // namespace waymark::vrp
