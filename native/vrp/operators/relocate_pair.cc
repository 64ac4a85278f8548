// Pickup-and-delivery pair relocate: take a shipment out and put it back at its cheapest feasible
// place (any route), keeping precedence and the same vehicle (Li & Lim 2001).
#include "vrp/algorithms/insertion.h"
#include "vrp/algorithms/moves.h"

namespace waymark::vrp {

bool relocatePair(const Problem& p, Solution& s, const Neighbors&, MoveScratch& m) {
  Inserter inserter(p);
  Rng rng(1);
  const uint32_t T = p.taskCount();
  for (uint32_t step = 0; step < T; ++step) {
    const uint32_t t = m.task(step, T);
    if (m.skip(t)) continue;
    if (p.kind[t] != TaskKind::kPickup || s.route_of[t] == kNone) continue;
    if (m.expired()) return false;
    const uint32_t v = static_cast<uint32_t>(s.route_of[t]);
    const uint32_t d = static_cast<uint32_t>(p.partner[t]);
    Solution trial = s;
    auto& route = trial.routes[v];
    route.erase(route.begin() + indexOf(route, d));
    route.erase(route.begin() + indexOf(route, t));
    trial.route_of[t] = trial.route_of[d] = kNone;
    trial.penalty += Solution::penaltyOf(p, t) + Solution::penaltyOf(p, d);
    trial.refresh(p, v);
    const Insertion ins = inserter.best(trial, t, rng, 0.0);
    if (!ins.found) continue;
    inserter.apply(trial, t, ins);
    if (trial.objective() < s.objective()) {
      s = std::move(trial);
      m.cursor = t;
      return true;
    }
  }
  return false;
}

}  // namespace waymark::vrp
