// 2-opt*: exchange the tails of two routes after a task and its neighbour (Potvin & Rousseau 1995).
#include "vrp/algorithms/moves.h"

namespace waymark::vrp {

bool twoOptStar(const Problem& p, Solution& s, const Neighbors& nb, MoveScratch& m) {
  return forEachInterRoutePair(p, s, nb, m, [&](uint32_t t, uint32_t u, uint32_t va, uint32_t vb) {
    const uint32_t na = uint32_t(s.routes[va].size()), nb_size = uint32_t(s.routes[vb].size());
    // New arc t -> u: A[..i] + B[j+1..] and B[..j] + A[i+1..], with j = pos(u) - 1.
    const uint32_t i = uint32_t(indexOf(s.routes[va], t));
    const uint32_t j1 = uint32_t(indexOf(s.routes[vb], u));  // j + 1
    return tryPieces(p, s, m, va, {RoutePiece::range(va, 0, i + 1), RoutePiece::range(vb, j1, nb_size)}, int32_t(vb),
                     {RoutePiece::range(vb, 0, j1), RoutePiece::range(va, i + 1, na)});
  });
}

}  // namespace waymark::vrp
