// Cross-exchange: swap two strings of 1 to 3 consecutive tasks between two routes, each placed
// where the other began (Taillard et al. 1997).
#include "vrp/algorithms/moves.h"

namespace waymark::vrp {

bool crossExchange(const Problem& p, Solution& s, const Neighbors& nb, MoveScratch& m) {
  return forEachInterRoutePair(p, s, nb, m, [&](uint32_t t, uint32_t u, uint32_t va, uint32_t vb) {
    const uint32_t na = uint32_t(s.routes[va].size()), nb_size = uint32_t(s.routes[vb].size());
    const uint32_t i = uint32_t(indexOf(s.routes[va], t)), j = uint32_t(indexOf(s.routes[vb], u));
    for (uint32_t la = 1; la <= 3 && i + la <= na; ++la) {
      for (uint32_t lb = 1; lb <= 3 && j + lb <= nb_size; ++lb) {
        if (la == 1 && lb == 1) continue;  // that is a swap
        if (tryPieces(p, s, m, va, {RoutePiece::range(va, 0, i), RoutePiece::range(vb, j, j + lb), RoutePiece::range(va, i + la, na)}, int32_t(vb),
                      {RoutePiece::range(vb, 0, j), RoutePiece::range(va, i, i + la), RoutePiece::range(vb, j + lb, nb_size)}))
          return true;
      }
    }
    return false;
  });
}

}  // namespace waymark::vrp
