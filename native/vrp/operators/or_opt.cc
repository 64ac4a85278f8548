// Or-opt: move a string of 2 or 3 consecutive jobs (as is or reversed) next to a neighbour of its
// first job, within or across routes.
#include "vrp/algorithms/moves.h"

namespace waymark::vrp {

bool orOpt(const Problem& p, Solution& s, const Neighbors& nb, MoveScratch& m) {
  const uint32_t T = p.taskCount();
  for (uint32_t step = 0; step < T; ++step) {
    const uint32_t t = m.task(step, T);
    if (m.skip(t)) continue;
    if (s.route_of[t] == kNone) continue;
    if (m.expired()) return false;
    const uint64_t since = m.testedSince(t);
    const uint32_t va = static_cast<uint32_t>(s.route_of[t]);
    const uint32_t n = uint32_t(s.routes[va].size());
    const uint32_t i = uint32_t(indexOf(s.routes[va], t));
    for (uint32_t len = 2; len <= 3; ++len) {
      if (i + len > n) break;
      for (uint32_t k = 0; k < nb.k; ++k) {
        const uint32_t u = nb.of(t)[k];
        if (s.route_of[u] == kNone) continue;
        const uint32_t vb = static_cast<uint32_t>(s.route_of[u]);
        if (m.unchanged(s, since, va, vb)) continue;
        const auto& B = s.routes[vb];
        const uint32_t iu = uint32_t(indexOf(B, u));
        if (va == vb && iu >= i && iu < i + len) continue;  // u is in the string
        for (int reversed = 0; reversed < 2; ++reversed) {
          const RoutePiece string = RoutePiece::range(va, i, i + len, reversed != 0);
          // The string's first job goes right after u.
          bool moved;
          if (va == vb) {
            // Position right after u in the route without the string.
            const uint32_t j = (iu > i ? iu - len : iu) + 1;
            if (!reversed && j == i) continue;  // the same route
            moved = j <= i ? tryPieces(p, s, m, va, {RoutePiece::range(va, 0, j), string, RoutePiece::range(va, j, i), RoutePiece::range(va, i + len, n)}, kNone, {})
                           : tryPieces(p, s, m, va, {RoutePiece::range(va, 0, i), RoutePiece::range(va, i + len, j + len), string, RoutePiece::range(va, j + len, n)}, kNone, {});
          } else {
            const uint32_t j = iu + 1;
            moved = tryPieces(p, s, m, va, {RoutePiece::range(va, 0, i), RoutePiece::range(va, i + len, n)}, int32_t(vb),
                              {RoutePiece::range(vb, 0, j), string, RoutePiece::range(vb, j, uint32_t(B.size()))});
          }
          if (moved) {
            m.cursor = t;
            return true;
          }
        }
      }
    }
    m.markTested(t);
  }
  return false;
}

}  // namespace waymark::vrp
