// Cross-exchange: swap two strings of 1 to 3 consecutive tasks between two routes, each placed
// where the other began (Taillard et al. 1997).
#include "vrp/algorithms/moves.h"

namespace waymark::vrp {

bool crossExchange(const Problem& p, Solution& s, const Neighbors& nb, MoveScratch& m) {
  return forEachInterRoutePair(p, s, nb, m, [&](uint32_t t, uint32_t u, uint32_t va, uint32_t vb) {
    const auto& A = s.routes[va];
    const auto& B = s.routes[vb];
    const int64_t i = indexOf(A, t), j = indexOf(B, u);
    for (int64_t la = 1; la <= 3 && i + la <= int64_t(A.size()); ++la) {
      for (int64_t lb = 1; lb <= 3 && j + lb <= int64_t(B.size()); ++lb) {
        if (la == 1 && lb == 1) continue;  // that is a swap
        m.a.assign(A.begin(), A.begin() + i);
        m.a.insert(m.a.end(), B.begin() + j, B.begin() + j + lb);
        m.a.insert(m.a.end(), A.begin() + i + la, A.end());
        m.b.assign(B.begin(), B.begin() + j);
        m.b.insert(m.b.end(), A.begin() + i, A.begin() + i + la);
        m.b.insert(m.b.end(), B.begin() + j + lb, B.end());
        if (tryReplace(p, s, m, va, m.a, int32_t(vb), &m.b)) return true;
      }
    }
    return false;
  });
}

}  // namespace waymark::vrp
