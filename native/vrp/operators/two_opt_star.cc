// 2-opt*: exchange the tails of two routes after a task and its neighbour (Potvin & Rousseau 1995).
#include "vrp/algorithms/moves.h"

namespace waymark::vrp {

bool twoOptStar(const Problem& p, Solution& s, const Neighbors& nb, MoveScratch& m) {
  for (uint32_t t = 0; t < p.taskCount(); ++t) {
    if (s.route_of[t] == kNone) continue;
    const uint32_t va = static_cast<uint32_t>(s.route_of[t]);
    for (uint32_t k = 0; k < nb.k; ++k) {
      const uint32_t u = nb.of(t)[k];
      if (s.route_of[u] == kNone || s.route_of[u] == int32_t(va)) continue;
      const uint32_t vb = static_cast<uint32_t>(s.route_of[u]);
      const auto& A = s.routes[va];
      const auto& B = s.routes[vb];
      const int64_t i = indexOf(A, t);
      // t is followed by u's successor: A[..i] + B[j+1..] and B[..j] + A[i+1..], with j = pos(u) - 1
      // so that the new arc is t -> u.
      const int64_t j = indexOf(B, u) - 1;
      m.a.assign(A.begin(), A.begin() + i + 1);
      m.a.insert(m.a.end(), B.begin() + j + 1, B.end());
      m.b.assign(B.begin(), B.begin() + j + 1);
      m.b.insert(m.b.end(), A.begin() + i + 1, A.end());
      if (tryReplace(p, s, va, m.a, int32_t(vb), &m.b)) return true;
    }
  }
  return false;
}

}  // namespace waymark::vrp
