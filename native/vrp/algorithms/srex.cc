#include "vrp/algorithms/srex.h"

#include <algorithm>

namespace waymark::vrp {

std::vector<uint32_t> interchangeableVehicles(const Problem& p) {
  const uint32_t V = p.vehicleCount();
  std::vector<uint8_t> own(V, 0);
  for (uint32_t v = 0; v < V; ++v) own[v] = p.hasBreaks(v);
  if (p.hasPinned())
    for (uint32_t t = 0; t < p.taskCount(); ++t)
      if (p.pinned_vehicle[t] != kNone) own[p.pinned_vehicle[t]] = 1;
  auto same = [&](uint32_t a, uint32_t b) {
    if (own[a] || own[b]) return a == b;
    if (p.vehicle_type[a] != p.vehicle_type[b] || p.start[a] != p.start[b] || p.end[a] != p.end[b] || p.vtw[a].start != p.vtw[b].start ||
        p.vtw[a].end != p.vtw[b].end || p.max_tasks[a] != p.max_tasks[b] || p.max_travel_time[a] != p.max_travel_time[b] ||
        p.max_distance[a] != p.max_distance[b] || p.fixed_cost[a] != p.fixed_cost[b] ||
        (!p.task_hour_cost.empty() && p.task_hour_cost[a] != p.task_hour_cost[b]))
      return false;
    for (uint32_t d = 0; d < p.dims; ++d)
      if (p.capacity[size_t(a) * p.dims + d] != p.capacity[size_t(b) * p.dims + d]) return false;
    return std::equal(p.vskills.begin() + p.vskill_first[a], p.vskills.begin() + p.vskill_first[a + 1], p.vskills.begin() + p.vskill_first[b],
                      p.vskills.begin() + p.vskill_first[b + 1]);
  };
  std::vector<uint32_t> cls(V), representatives;
  for (uint32_t v = 0; v < V; ++v) {
    uint32_t c = 0;
    while (c < representatives.size() && !same(representatives[c], v)) ++c;
    if (c == representatives.size()) representatives.push_back(v);
    cls[v] = c;
  }
  return cls;
}

Solution srexCrossover(const Problem& p, const Neighbors& nb, const std::vector<uint32_t>& vehicle_class, const Solution& a,
                       const Solution& b, Rng& rng, std::vector<uint32_t>& missing) {
  const uint32_t T = p.taskCount(), V = p.vehicleCount();
  Solution child = a;
  // A soft parent's routes over capacity or late are emptied below like any infeasible route.
  child.soft = false;
  uint32_t used_a = 0, used_b = 0;
  for (uint32_t v = 0; v < V; ++v) used_a += !a.routes[v].empty(), used_b += !b.routes[v].empty();
  if (used_b > 0 && T > 0) {
    // B's routes near a random task B serves.
    std::uniform_int_distribution<uint32_t> any_task(0, T - 1);
    uint32_t seed = any_task(rng);
    for (int tries = 0; b.route_of[seed] == kNone && tries < 64; ++tries) seed = any_task(rng);
    const uint32_t most = std::max<uint32_t>(1, std::min(used_a, used_b) / 2);
    const uint32_t wanted = std::uniform_int_distribution<uint32_t>(1, most)(rng);
    std::vector<uint32_t> taken;  // vehicles of B
    auto take = [&](uint32_t t) {
      const int32_t v = b.route_of[t];
      if (v != kNone && taken.size() < wanted && std::find(taken.begin(), taken.end(), uint32_t(v)) == taken.end()) taken.push_back(uint32_t(v));
    };
    if (b.route_of[seed] != kNone) {
      take(seed);
      for (uint32_t k = 0; k < nb.k && taken.size() < wanted; ++k) take(nb.of(seed)[k]);
    }
    // Out of A's routes go the tasks the taken routes hold.
    std::vector<uint8_t> in_taken(T, 0);
    for (uint32_t vb : taken)
      for (uint32_t t : b.routes[vb]) in_taken[t] = 1;
    for (uint32_t v = 0; v < V; ++v) {
      auto& route = child.routes[v];
      std::erase_if(route, [&](uint32_t t) { return in_taken[t] != 0; });
    }
    // Each taken route goes onto its own vehicle if that is free, else onto a free identical one,
    // else onto the identical one holding the fewest tasks (which are then left to the repair).
    std::vector<uint8_t> placed(V, 0);
    for (uint32_t vb : taken) {
      int32_t target = kNone;
      if (child.routes[vb].empty() && !placed[vb]) target = int32_t(vb);
      for (uint32_t v = 0; v < V && target == kNone; ++v)
        if (!placed[v] && vehicle_class[v] == vehicle_class[vb] && child.routes[v].empty()) target = int32_t(v);
      for (uint32_t v = 0; v < V; ++v)
        if (!placed[v] && vehicle_class[v] == vehicle_class[vb] && (target == kNone || child.routes[v].size() < child.routes[target].size()))
          target = int32_t(v);
      if (target == kNone) continue;  // the taken tasks are left to the repair
      placed[target] = 1;
      child.routes[target] = b.routes[vb];
    }
  }
  child.refreshAll(p);
  // A route with tasks taken out may break a constraint (without the triangle inequality, or with
  // breaks), and a soft parent's routes may be over capacity or late: such a route is emptied and
  // repaired. (Routes copied from a feasible parent are checked all the same, as every route a
  // child keeps.)
  bool emptied = false;
  for (uint32_t v = 0; v < V; ++v)
    if (!child.totals[v].feasible) child.routes[v].clear(), emptied = true;
  if (emptied) child.refreshAll(p);
  for (uint32_t t = 0; t < T; ++t)
    if (child.route_of[t] == kNone && p.kind[t] != TaskKind::kDelivery) missing.push_back(t);
  return child;
}

}  // namespace waymark::vrp
