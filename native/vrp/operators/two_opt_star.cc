// 2-opt*: exchange the tails of two routes after a task and its neighbour (Potvin & Rousseau 1995).
#include "vrp/algorithms/moves.h"

namespace waymark::vrp {

bool twoOptStar(const Problem& p, Solution& s, const Neighbors& nb, MoveScratch& m) {
  return forEachInterRoutePair(p, s, nb, m, [&](uint32_t t, uint32_t u, uint32_t va, uint32_t vb) {
    const auto& A = s.routes[va];
    const auto& B = s.routes[vb];
    // New arc t -> u: A[..i] + B[j+1..] and B[..j] + A[i+1..], with j = pos(u) - 1.
    const int64_t i = indexOf(A, t);
    const int64_t j = indexOf(B, u) - 1;
    m.a.assign(A.begin(), A.begin() + i + 1);
    m.a.insert(m.a.end(), B.begin() + j + 1, B.end());
    m.b.assign(B.begin(), B.begin() + j + 1);
    m.b.insert(m.b.end(), A.begin() + i + 1, A.end());
    return tryReplace(p, s, m, va, m.a, int32_t(vb), &m.b);
  });
}

}  // namespace waymark::vrp
