#include "vrp/algorithms/insertion.h"

#include <algorithm>

namespace waymark::vrp {

Inserter::Inserter(const Problem& p, const Neighbors* neighbors)
    : p_(p), neighbors_(neighbors), route_wanted_(p.vehicleCount(), 0), vehicle_class_(p.vehicleCount()) {
  auto same = [&](uint32_t a, uint32_t b) {
    if (p.vehicle_type[a] != p.vehicle_type[b] || p.start[a] != p.start[b] || p.end[a] != p.end[b] ||
        p.vtw[a].start != p.vtw[b].start || p.vtw[a].end != p.vtw[b].end || p.max_tasks[a] != p.max_tasks[b] ||
        p.max_travel_time[a] != p.max_travel_time[b] || p.max_distance[a] != p.max_distance[b] ||
        p.fixed_cost[a] != p.fixed_cost[b] || p.hasBreaks(a) || p.hasBreaks(b))
      return false;
    for (uint32_t d = 0; d < p.dims; ++d)
      if (p.capacity[size_t(a) * p.dims + d] != p.capacity[size_t(b) * p.dims + d]) return false;
    return std::equal(p.vskills.begin() + p.vskill_first[a], p.vskills.begin() + p.vskill_first[a + 1],
                      p.vskills.begin() + p.vskill_first[b], p.vskills.begin() + p.vskill_first[b + 1]);
  };
  std::vector<uint32_t> representatives;
  for (uint32_t v = 0; v < p.vehicleCount(); ++v) {
    uint32_t c = 0;
    while (c < representatives.size() && !same(representatives[c], v)) ++c;
    if (c == representatives.size()) representatives.push_back(v);
    vehicle_class_[v] = c;
  }
  class_seen_.assign(representatives.size(), 0);
  class_members_.resize(representatives.size());
  for (uint32_t v = 0; v < p.vehicleCount(); ++v) class_members_[vehicle_class_[v]].push_back(v);
}

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
  if (neighbors_ && neighbors_->k > 0 && p_.vehicleCount() > 8) {
    const Insertion near = bestIn(s, task, rng, blink, true);
    if (near.found) return near;
  }
  return bestIn(s, task, rng, blink, false);
}

Insertion Inserter::bestIn(const Solution& s, uint32_t task, Rng& rng, double blink, bool nearby_only) {
  candidates_.clear();
  // The vehicles to look at: all of them, or (nearby) the routes of the task's neighbours and the
  // first empty vehicle of each class.
  vehicles_.clear();
  if (nearby_only) {
    auto mark = [&](uint32_t t) {
      for (uint32_t k = 0; k < neighbors_->k; ++k) {
        const int32_t r = s.route_of[neighbors_->of(t)[k]];
        if (r != kNone && !route_wanted_[r]) {
          route_wanted_[r] = 1;
          vehicles_.push_back(static_cast<uint32_t>(r));
        }
      }
    };
    mark(task);
    if (p_.kind[task] == TaskKind::kPickup) mark(static_cast<uint32_t>(p_.partner[task]));
    for (uint32_t v : vehicles_) route_wanted_[v] = 0;
    for (const auto& members : class_members_)
      for (uint32_t v : members)
        if (s.routes[v].empty()) {
          vehicles_.push_back(v);
          break;
        }
  } else {
    for (uint32_t v = 0; v < p_.vehicleCount(); ++v) vehicles_.push_back(v);
  }
  const bool shipment = p_.kind[task] == TaskKind::kPickup;
  const uint32_t partner = shipment ? static_cast<uint32_t>(p_.partner[task]) : 0;
  const int32_t lt = static_cast<int32_t>(p_.location[task]);
  std::fill(class_seen_.begin(), class_seen_.end(), 0);
  for (uint32_t v : vehicles_) {
    if (!p_.compatible(v, task) || (shipment && !p_.compatible(v, partner))) continue;
    const auto& route = s.routes[v];
    if (route.empty()) {
      if (class_seen_[vehicle_class_[v]]) continue;
      class_seen_[vehicle_class_[v]] = 1;
    }
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
  // Cheapest first, lazily: usually one of the first few is feasible, so a heap beats a sort.
  auto greater = [](const Candidate& a, const Candidate& b) { return b < a; };
  std::make_heap(candidates_.begin(), candidates_.end(), greater);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  while (!candidates_.empty()) {
    std::pop_heap(candidates_.begin(), candidates_.end(), greater);
    const Candidate c = candidates_.back();
    candidates_.pop_back();
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
