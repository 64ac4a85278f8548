// Swap: exchange two neighbouring jobs between (or within) routes.
#include <algorithm>

#include "vrp/algorithms/moves.h"

namespace waymark::vrp {

bool swapTasks(const Problem& p, Solution& s, const Neighbors& nb, MoveScratch& m) {
  const uint32_t T = p.taskCount();
  for (uint32_t step = 0; step < T; ++step) {
    const uint32_t t = m.task(step, T);
    if (m.skip(t)) continue;
    if (p.kind[t] != TaskKind::kJob || s.route_of[t] == kNone) continue;
    if (m.expired()) return false;
    const uint64_t since = m.testedSince(t);
    for (uint32_t k = 0; k < nb.k; ++k) {
      const uint32_t u = nb.of(t)[k];
      if ((u < t && !m.skip(u)) || p.kind[u] != TaskKind::kJob || s.route_of[u] == kNone) continue;
      const uint32_t va = static_cast<uint32_t>(s.route_of[t]), vb = static_cast<uint32_t>(s.route_of[u]);
      if (m.unchanged(s, since, va, vb)) continue;
      if (va == vb) {
        const uint32_t n = uint32_t(s.routes[va].size());
        const uint32_t it = uint32_t(indexOf(s.routes[va], t)), iu = uint32_t(indexOf(s.routes[va], u));
        const uint32_t i = std::min(it, iu), j = std::max(it, iu);
        const uint32_t first = s.routes[va][i], second = s.routes[va][j];
        if (tryPieces(p, s, m, va,
                      {RoutePiece::range(va, 0, i), RoutePiece::task(second), RoutePiece::range(va, i + 1, j), RoutePiece::task(first), RoutePiece::range(va, j + 1, n)},
                      kNone, {})) {
          m.cursor = t;
          return true;
        }
      } else {
        if (!p.compatible(vb, t) || !p.compatible(va, u)) continue;
        const uint32_t i = uint32_t(indexOf(s.routes[va], t)), j = uint32_t(indexOf(s.routes[vb], u));
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
        const uint32_t na = uint32_t(s.routes[va].size()), nb_size = uint32_t(s.routes[vb].size());
        if (tryPieces(p, s, m, va, {RoutePiece::range(va, 0, i), RoutePiece::task(u), RoutePiece::range(va, i + 1, na)}, int32_t(vb),
                      {RoutePiece::range(vb, 0, j), RoutePiece::task(t), RoutePiece::range(vb, j + 1, nb_size)})) {
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
