#include "vrp/algorithms/insertion.h"

#include <algorithm>

namespace waymark::vrp {

bool Inserter::feasible(const Solution& s, uint32_t task, uint32_t v, uint32_t pos, uint32_t pos2) {
  const auto& route = s.routes[v];
  scratch_.clear();
  const bool shipment = p_.kind[task] == TaskKind::kPickup;
  for (uint32_t i = 0; i <= route.size(); ++i) {
    if (i == pos) scratch_.push_back(task);
    if (shipment && i == pos2) scratch_.push_back(static_cast<uint32_t>(p_.partner[task]));
    if (i < route.size()) scratch_.push_back(route[i]);
  }
  const RouteTotals t = evaluateRoute(p_, v, scratch_);
  return t.feasible;
}

Insertion Inserter::best(const Solution& s, uint32_t task, Rng& rng, double blink) {
  candidates_.clear();
  const bool shipment = p_.kind[task] == TaskKind::kPickup;
  const uint32_t partner = shipment ? static_cast<uint32_t>(p_.partner[task]) : 0;
  const int32_t lt = static_cast<int32_t>(p_.location[task]);
  for (uint32_t v = 0; v < p_.vehicleCount(); ++v) {
    if (!p_.compatible(v, task) || (shipment && !p_.compatible(v, partner))) continue;
    const auto& route = s.routes[v];
    const uint32_t n = static_cast<uint32_t>(route.size());
    if (int64_t(n + (shipment ? 2 : 1)) > p_.max_tasks[v]) continue;
    const VehicleType& type = p_.typeOf(v);
    const int64_t fixed = route.empty() ? p_.fixed_cost[v] : 0;
    for (uint32_t i = 0; i <= n; ++i) {
      const int32_t a = locationAt(p_, v, route, int64_t(i) - 1), b = locationAt(p_, v, route, i);
      const int64_t base = arcCost(type, a, lt) + arcCost(type, lt, b) - arcCost(type, a, b);
      if (!shipment) {
        candidates_.push_back({base + fixed, v, i, 0});
        continue;
      }
      const int32_t ld = static_cast<int32_t>(p_.location[partner]);
      // Delivery right after the pickup.
      candidates_.push_back({arcCost(type, a, lt) + arcCost(type, lt, ld) + arcCost(type, ld, b) - arcCost(type, a, b) + fixed, v, i, i});
      for (uint32_t j = i + 1; j <= n; ++j) {
        const int32_t c = locationAt(p_, v, route, int64_t(j) - 1), d = locationAt(p_, v, route, j);
        candidates_.push_back({base + arcCost(type, c, ld) + arcCost(type, ld, d) - arcCost(type, c, d) + fixed, v, i, j});
      }
    }
  }
  std::sort(candidates_.begin(), candidates_.end());
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (const Candidate& c : candidates_) {
    if (blink > 0 && u(rng) < blink) continue;
    if (feasible(s, task, c.vehicle, c.pos, c.pos2)) return {true, c.delta, c.vehicle, c.pos, c.pos2};
  }
  return {};
}

void Inserter::apply(Solution& s, uint32_t task, const Insertion& ins) const {
  auto& route = s.routes[ins.vehicle];
  if (p_.kind[task] == TaskKind::kPickup) {
    // Delivery first (its index refers to the route before either insertion).
    route.insert(route.begin() + ins.position2, static_cast<uint32_t>(p_.partner[task]));
    route.insert(route.begin() + ins.position, task);
  } else {
    route.insert(route.begin() + ins.position, task);
  }
  s.refresh(p_, ins.vehicle);
}

}  // namespace waymark::vrp
