// SWAP* (Vidal 2022, "Hybrid genetic search for the CVRP: open-source implementation and SWAP*
// neighborhood"): exchange two jobs of different routes, each going to its cheapest position in the
// other route (not necessarily where the other one was).
#include <limits>

#include "vrp/algorithms/moves.h"

namespace waymark::vrp {

namespace {

// Cheapest position (by cost delta) to insert `t` into route v with its task at index `out`
// taken out: the index in the route without it.
uint32_t bestPosition(const Problem& p, uint32_t v, const std::vector<uint32_t>& route, uint32_t out, uint32_t t) {
  const VehicleType& type = p.typeOf(v);
  const int32_t lt = static_cast<int32_t>(p.location[t]);
  uint32_t best = 0;
  int64_t delta = std::numeric_limits<int64_t>::max();
  int32_t a = p.start[v];
  for (uint32_t i = 0, k = 0; k <= route.size(); ++k) {
    if (k == out) continue;
    const int32_t b = locationAt(p, v, route, k);
    const int64_t d = arcCost(type, a, lt) + arcCost(type, lt, b) - arcCost(type, a, b);
    if (d < delta) {
      delta = d;
      best = i;
    }
    a = b;
    ++i;
  }
  return best;
}

// The route of v with its task at index `out` replaced by task `in` placed before index `at` of the
// route without it.
void exchanged(uint32_t v, uint32_t n, uint32_t out, uint32_t in, uint32_t at, RoutePiece (&pieces)[4]) {
  if (at <= out) {
    pieces[0] = RoutePiece::range(v, 0, at), pieces[1] = RoutePiece::task(in), pieces[2] = RoutePiece::range(v, at, out), pieces[3] = RoutePiece::range(v, out + 1, n);
  } else {
    pieces[0] = RoutePiece::range(v, 0, out), pieces[1] = RoutePiece::range(v, out + 1, at + 1), pieces[2] = RoutePiece::task(in), pieces[3] = RoutePiece::range(v, at + 1, n);
  }
}

}  // namespace

bool swapStar(const Problem& p, Solution& s, const Neighbors& nb, MoveScratch& m) {
  return forEachInterRoutePair(p, s, nb, m, [&](uint32_t t, uint32_t u, uint32_t va, uint32_t vb) {
    if (p.kind[t] != TaskKind::kJob || p.kind[u] != TaskKind::kJob || !p.compatible(vb, t) || !p.compatible(va, u)) return false;
    const auto& A = s.routes[va];
    const auto& B = s.routes[vb];
    const uint32_t i = uint32_t(indexOf(A, t)), j = uint32_t(indexOf(B, u));
    const uint32_t ia = bestPosition(p, va, A, i, u), ib = bestPosition(p, vb, B, j, t);
    RoutePiece pa[4], pb[4];
    exchanged(va, uint32_t(A.size()), i, u, ia, pa);
    exchanged(vb, uint32_t(B.size()), j, t, ib, pb);
    return tryPieces(p, s, m, va, pa, 4, int32_t(vb), pb, 4);
  });
}

}  // namespace waymark::vrp
