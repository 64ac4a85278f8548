#include "vrp/algorithms/soft_insertion.h"

#include <algorithm>
#include <limits>

#include "vrp/algorithms/hgs.h"
#include "vrp/algorithms/local_search.h"

namespace waymark::vrp {

namespace {

// Exact soft evaluations per candidate route, at the places with the smallest detours: the
// evaluation is O(route), the detour O(1).
constexpr size_t kPlacesEvaluated = 3;
constexpr int kRepairRounds = 4;

double penalised(const RouteTotals& t, const PenaltyWeights& w) {
  return double(t.cost) + w.load * double(t.excess_load) + w.time_warp * double(t.time_warp);
}

}  // namespace

void insertSoftly(const Problem& p, Solution& s, const Neighbors& nb, const std::vector<uint32_t>& tasks, double deadline_s, bool verify) {
  // Nothing to place (a warm start holding every job): no soft copy of the plan to evaluate.
  if (std::none_of(tasks.begin(), tasks.end(), [&](uint32_t x) { return p.kind[x] == TaskKind::kJob && s.route_of[x] == kNone; })) return;
  Solution soft = s;
  soft.soft = true;
  soft.refreshAll(p);
  PenaltyWeights w = initialPenaltyWeights(p);
  std::vector<uint8_t> is_new(p.taskCount(), 0);
  std::vector<uint32_t> near, seq, best_seq;
  std::vector<std::pair<int64_t, uint32_t>> places;
  for (uint32_t x : tasks) {
    is_new[x] = 1;
    if (p.kind[x] != TaskKind::kJob || soft.route_of[x] != kNone) continue;
    // The routes of x's neighbours, each once.
    near.clear();
    for (uint32_t k = 0; k < nb.k; ++k) {
      const int32_t r = soft.route_of[nb.of(x)[k]];
      if (r != kNone && std::find(near.begin(), near.end(), uint32_t(r)) == near.end()) near.push_back(uint32_t(r));
    }
    double best = std::numeric_limits<double>::infinity();
    uint32_t best_vehicle = 0;
    const int32_t lx = int32_t(p.location[x]);
    for (uint32_t v : near) {
      if (!p.compatible(v, x)) continue;
      const auto& route = soft.routes[v];
      const VehicleType& type = p.typeOf(v);
      places.clear();
      for (size_t i = 0; i <= route.size(); ++i) {
        const int32_t a = locationAt(p, v, route, int64_t(i) - 1), b = locationAt(p, v, route, int64_t(i));
        places.push_back({arcCost(type, a, lx) + arcCost(type, lx, b) - arcCost(type, a, b), uint32_t(i)});
      }
      const size_t evaluated = std::min(places.size(), kPlacesEvaluated);
      std::partial_sort(places.begin(), places.begin() + ptrdiff_t(evaluated), places.end());
      const double before = penalised(soft.totals[v], w);
      for (size_t q = 0; q < evaluated; ++q) {
        seq = route;
        seq.insert(seq.begin() + ptrdiff_t(places[q].second), x);
        const RouteTotals t = evaluateRoute(p, v, seq, nullptr, true);
        if (!t.feasible) continue;  // a hard constraint (skills, max_tasks, pinned order, ...)
        const double delta = penalised(t, w) - before;
        if (delta < best) best = delta, best_vehicle = v, best_seq = seq;
      }
    }
    if (best == std::numeric_limits<double>::infinity()) continue;
    soft.routes[best_vehicle] = best_seq;
    soft.refresh(p, best_vehicle);
  }
  // The repair moves the tasks of the routes that took new jobs (and the new jobs themselves).
  std::vector<uint8_t> movable(p.taskCount(), 0);
  bool changed = false;
  for (uint32_t v = 0; v < p.vehicleCount(); ++v)
    if (soft.routes[v] != s.routes[v]) {
      changed = true;
      for (uint32_t t : soft.routes[v]) movable[t] = 1;
    }
  if (!changed) return;
  localSearch(p, soft, nb, deadline_s, &movable, &w, verify);
  for (int round = 0; round < kRepairRounds && !soft.withinLimits(); ++round) {
    w.load *= 10, w.time_warp *= 10;
    localSearch(p, soft, nb, deadline_s, &movable, &w, verify);
  }
  // Hard again; a route over a limit gives up new jobs first, then its last free tasks.
  soft.soft = false;
  for (uint32_t v = 0; v < p.vehicleCount(); ++v) {
    auto& route = soft.routes[v];
    if (route == s.routes[v]) continue;  // the warm start's routes are feasible
    while (!route.empty() && !evaluateRoute(p, v, route).feasible) {
      auto drop = std::find_if(route.begin(), route.end(), [&](uint32_t t) { return is_new[t] && !p.pinned(t); });
      if (drop == route.end()) {
        auto last = std::find_if(route.rbegin(), route.rend(), [&](uint32_t t) { return !p.pinned(t) && p.kind[t] == TaskKind::kJob; });
        if (last == route.rend()) break;
        drop = std::next(last).base();
      }
      route.erase(drop);
    }
  }
  soft.refreshAll(p);
  for (const RouteTotals& t : soft.totals)
    if (!t.feasible) return;  // a route that could not be mended: keep the warm start as it was
  s = std::move(soft);
}

}  // namespace waymark::vrp
