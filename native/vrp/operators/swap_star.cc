// SWAP* (Vidal 2022, "Hybrid genetic search for the CVRP: open-source implementation and SWAP*
// neighborhood"): exchange two jobs of different routes, each going to its cheapest position in the
// other route (not necessarily where the other one was).
#include <limits>

#include "vrp/algorithms/moves.h"

namespace waymark::vrp {

namespace {

// Cheapest position (by cost delta) to insert `t` into `route` of vehicle v.
int64_t bestPosition(const Problem& p, uint32_t v, const std::vector<uint32_t>& route, uint32_t t, int64_t& delta) {
  const VehicleType& type = p.typeOf(v);
  const int32_t lt = static_cast<int32_t>(p.location[t]);
  int64_t best = -1;
  delta = std::numeric_limits<int64_t>::max();
  for (int64_t i = 0; i <= int64_t(route.size()); ++i) {
    const int32_t a = locationAt(p, v, route, i - 1), b = locationAt(p, v, route, i);
    const int64_t d = arcCost(type, a, lt) + arcCost(type, lt, b) - arcCost(type, a, b);
    if (d < delta) {
      delta = d;
      best = i;
    }
  }
  return best;
}

}  // namespace

bool swapStar(const Problem& p, Solution& s, const Neighbors& nb, MoveScratch& m) {
  return forEachInterRoutePair(p, s, nb, m, [&](uint32_t t, uint32_t u, uint32_t va, uint32_t vb) {
    if (p.kind[t] != TaskKind::kJob || p.kind[u] != TaskKind::kJob || !p.compatible(vb, t) || !p.compatible(va, u)) return false;
    m.a = s.routes[va];
    m.a.erase(m.a.begin() + indexOf(m.a, t));
    m.b = s.routes[vb];
    m.b.erase(m.b.begin() + indexOf(m.b, u));
    int64_t da, db;
    const int64_t ia = bestPosition(p, va, m.a, u, da);
    const int64_t ib = bestPosition(p, vb, m.b, t, db);
    m.a.insert(m.a.begin() + ia, u);
    m.b.insert(m.b.begin() + ib, t);
    return tryReplace(p, s, m, va, m.a, int32_t(vb), &m.b);
  });
}

}  // namespace waymark::vrp
