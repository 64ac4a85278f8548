#include "vrp/algorithms/region_search.h"

#include <algorithm>
#include <cmath>
#include <memory>

#include "common/error.h"
#include "common/parallel.h"
#include "vrp/algorithms/clock.h"

namespace waymark::vrp {

std::vector<uint32_t> groupRoutes(const Problem& p, const Solution& s, const Neighbors& nb, unsigned parts, Rng& rng) {
  const uint32_t V = p.vehicleCount();
  std::vector<uint32_t> group(V, parts);
  if (parts <= 1) return std::vector<uint32_t>(V, 0);
  // links[a * V + b]: how many of route a's tasks have a near neighbour (the first ten) in route b.
  std::vector<uint32_t> links(size_t(V) * V, 0);
  const uint32_t near = std::min<uint32_t>(nb.k, 10);
  uint32_t assigned = 0;
  for (uint32_t v = 0; v < V; ++v)
    for (uint32_t t : s.routes[v]) {
      ++assigned;
      for (uint32_t k = 0; k < near; ++k) {
        const int32_t r = s.route_of[nb.of(t)[k]];
        if (r != kNone && uint32_t(r) != v) ++links[size_t(v) * V + uint32_t(r)];
      }
    }
  std::vector<uint32_t> free_routes;
  for (uint32_t v = 0; v < V; ++v)
    if (!s.routes[v].empty()) free_routes.push_back(v);
  const uint32_t share = (assigned + parts - 1) / parts;
  std::vector<uint64_t> score(V);
  for (unsigned g = 0; g + 1 < parts && !free_routes.empty(); ++g) {
    std::fill(score.begin(), score.end(), 0);
    uint32_t size = 0;
    uint32_t next = free_routes[std::uniform_int_distribution<size_t>(0, free_routes.size() - 1)(rng)];
    while (size < share) {
      group[next] = g;
      size += uint32_t(s.routes[next].size());
      std::erase(free_routes, next);
      if (free_routes.empty()) break;
      for (uint32_t r : free_routes) score[r] += links[size_t(next) * V + r] + links[size_t(r) * V + next];
      next = *std::max_element(free_routes.begin(), free_routes.end(), [&](uint32_t a, uint32_t b) { return score[a] < score[b]; });
      if (score[next] == 0) next = free_routes[std::uniform_int_distribution<size_t>(0, free_routes.size() - 1)(rng)];
    }
  }
  for (uint32_t r : free_routes) group[r] = parts - 1;
  uint32_t round = 0;
  for (uint32_t v = 0; v < V; ++v)
    if (s.routes[v].empty()) group[v] = round++ % parts;
  return group;
}

namespace {

// `current` with each group's routes taken from its search's result. A group whose result holds a
// task an earlier group's result already holds (both placed the same unassigned task) keeps its
// routes as they were: the groups own disjoint tasks otherwise.
void mergeGroups(const Problem& p, Solution& current, const std::vector<uint32_t>& group, const std::vector<Solution>& results, bool verify) {
  const uint32_t V = p.vehicleCount(), T = p.taskCount();
  std::vector<uint8_t> placed(T, 0);
  std::vector<uint8_t> taken(results.size(), 1);
  if (verify)
    for (size_t g = 0; g < results.size(); ++g)
      for (uint32_t v = 0; v < V; ++v)
        if (group[v] != g && results[g].routes[v] != current.routes[v])
          throw Error("Internal", "a region search changed a route outside its group");
  for (size_t g = 0; g < results.size(); ++g) {
    bool clash = false;
    for (uint32_t v = 0; v < V && !clash; ++v)
      if (group[v] == g)
        for (uint32_t t : results[g].routes[v]) clash = clash || placed[t];
    const Solution& from = clash ? current : results[g];
    for (uint32_t v = 0; v < V; ++v)
      if (group[v] == g)
        for (uint32_t t : from.routes[v]) placed[t] = 1;
    taken[g] = !clash;
  }
  for (uint32_t v = 0; v < V; ++v) {
    const uint32_t g = group[v];  // groupRoutes gives every vehicle a group
    if (!taken[g]) continue;
    current.routes[v] = results[g].routes[v];
    current.totals[v] = results[g].totals[v];
    current.version[v] = results[g].version[v];
  }
  current.sumRoutes(p);
  if (verify) {
    Solution check = current;
    check.refreshAll(p);
    if (check.cost != current.cost || check.penalty != current.penalty || check.excess_load != current.excess_load || check.time_warp != current.time_warp)
      throw Error("Internal", "the region search's merged plan disagrees with its exact evaluation");
  }
}

}  // namespace

Solution regionSearch(const Problem& p, const Neighbors& nb, const std::vector<uint8_t>& assignable, Solution start, const RegionSearchOptions& o,
                      std::vector<SearchStats>& stats) {
  const unsigned threads = std::max(1u, o.threads);
  const uint32_t phases = std::max(1u, o.phases);
  // The temperatures stay relative to the first plan's average arc through every phase.
  const double arc = averageArcCost(p, start);
  std::vector<std::unique_ptr<Sisr>> searches;
  for (unsigned i = 0; i < threads; ++i) searches.push_back(std::make_unique<Sisr>(p, nb, assignable, o.seed * 7919 + i, o.verify));
  Rng rng(o.seed * 104729 + 17);
  Solution current = std::move(start);
  const double began = searchNow();
  std::vector<Solution> results(threads);
  std::vector<SearchStats> phase_stats(threads);
  std::vector<std::vector<uint8_t>> owned(threads);
  uint32_t phases_run = 0;
  for (uint32_t k = 0; k < phases; ++k) {
    if (searchNow() >= o.deadline_s || (o.cancel && o.cancel->load() != 0)) break;
    ++phases_run;
    const std::vector<uint32_t> group = groupRoutes(p, current, nb, threads, rng);
    for (unsigned i = 0; i < threads; ++i) {
      owned[i].assign(p.vehicleCount(), 0);
      for (uint32_t v = 0; v < p.vehicleCount(); ++v) owned[i][v] = group[v] == i;
    }
    const double phase_deadline = began + (o.deadline_s - began) * double(k + 1) / phases;
    SoftCapacity soft;  // this phase's prices, the same for every thread
    if (o.soft_capacity) {
      soft.capacity = o.soft_capacity;
      soft.weight.resize(p.dims);
      const double at = phases > 1 ? double(k) / double(phases - 1) : 1.0;
      for (uint32_t d = 0; d < p.dims; ++d) soft.weight[d] = o.first_weight[d] * std::pow(o.last_weight[d] / o.first_weight[d], at);
    }
    parallelFor(threads, threads, [&](uint64_t i, unsigned) {
      const ScopedSearchClock thread_clock(o.clock_threads);
      SisrOptions so;
      so.deadline_s = phase_deadline;
      // An iteration cap and the cooling schedule are shared out over the phases exactly (the
      // phases' shares sum to them).
      auto share = [&](uint64_t total) {
        return total == UINT64_MAX ? UINT64_MAX : uint64_t((unsigned __int128)total * (k + 1) / phases) - uint64_t((unsigned __int128)total * k / phases);
      };
      so.max_iterations = share(o.max_iterations);
      so.schedule_iterations = std::max<uint64_t>(1, share(o.schedule_iterations));
      so.converge_after = o.converge_after;
      so.cancel = o.cancel;
      so.temperature_factor = o.temperature_factor;
      so.focus = o.focus;
      so.vehicles = &owned[i];
      so.progress_from = double(k) / phases;
      so.progress_to = double(k + 1) / phases;
      so.arc_cost = arc;
      so.soft = soft;
      phase_stats[i] = SearchStats{};
      results[i] = searches[i]->run(current, so, phase_stats[i], [](const Solution&) {});
    }, 1);
    const int64_t before = current.objective();
    mergeGroups(p, current, group, results, o.verify);
    if (o.on_best && current.objective() < before && (!o.soft_capacity || withinCapacity(p, *o.soft_capacity, current))) o.on_best(current);
    for (unsigned i = 0; i < threads; ++i) stats[i].iterations += phase_stats[i].iterations, stats[i].improvements += phase_stats[i].improvements;
  }
  for (unsigned i = 0; i < threads; ++i) stats[i].converged = phases_run == phases && phase_stats[i].converged;
  return current;
}

}  // namespace waymark::vrp
