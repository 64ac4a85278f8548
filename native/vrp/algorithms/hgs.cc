#include "vrp/algorithms/hgs.h"

#include <algorithm>

#include "common/error.h"
#include "vrp/algorithms/clock.h"
#include "vrp/algorithms/local_search.h"
#include "vrp/algorithms/srex.h"

namespace waymark::vrp {

uint64_t educationIterations(uint32_t tasks) { return std::clamp<uint64_t>(uint64_t(tasks) * 10, 500, 2000); }

PenaltyWeights initialPenaltyWeights(const Problem& p) {
  int64_t longest = 0, demand = 0;
  for (const VehicleType& type : p.types)
    for (int32_t c : type.cost) longest = std::max<int64_t>(longest, c);
  for (size_t i = 0; i < p.delivery.size(); ++i) demand = std::max({demand, p.delivery[i], p.pickup[i]});
  PenaltyWeights w;
  w.load = demand > 0 ? std::clamp(double(longest) / double(demand), 0.1, 1000.0) : 1.0;
  w.time_warp = 1.0;
  return w;
}

double adjustPenalty(double weight, double feasible_share, double target) {
  if (feasible_share < target - 0.05) return std::min(weight * 1.2, 1e6);
  if (feasible_share > target + 0.05) return std::max(weight * 0.85, 1e-3);
  return weight;
}

Hgs::Hgs(const Problem& p, const Neighbors& nb, const std::vector<uint8_t>& assignable, uint64_t seed, bool verify_fast_path)
    : p_(p), nb_(nb), assignable_(assignable), rng_(seed), sisr_(p, nb, assignable, seed ^ 0x9e3779b97f4a7c15ULL, verify_fast_path),
      vehicle_class_(interchangeableVehicles(p)), weights_(initialPenaltyWeights(p)), verify_(verify_fast_path) {}

void Hgs::recordEducation(const Solution& s, const HgsOptions& options, Population& infeasible) {
  ++educated_;
  load_ok_ += s.excess_load == 0;
  warp_ok_ += s.time_warp == 0;
  if (educated_ < options.penalty_interval) return;
  weights_.load = adjustPenalty(weights_.load, double(load_ok_) / educated_, options.target_feasible);
  weights_.time_warp = adjustPenalty(weights_.time_warp, double(warp_ok_) / educated_, options.target_feasible);
  educated_ = load_ok_ = warp_ok_ = 0;
  infeasible.setWeights(weights_);
}

bool Hgs::stopped(const HgsOptions& options, const SearchStats& stats) const {
  return stats.iterations >= options.limits.max_iterations || searchNow() >= options.limits.deadline_s ||
         (options.limits.cancel && options.limits.cancel->load(std::memory_order_relaxed) != 0);
}

std::optional<Solution> Hgs::educate(Solution s, const std::vector<uint32_t>* focus, const std::vector<uint8_t>* region, const HgsOptions& options,
                                     SearchStats& stats, Population& infeasible) {
  const bool local_search = options.penalised_education && region &&
                           (options.local_search_share >= 1 || std::uniform_real_distribution<double>(0, 1)(rng_) < options.local_search_share);
  if (local_search) {
    const int64_t hard_objective = s.objective();
    s.soft = true;
    s.refreshAll(p_);
    if (verify_ && (!s.withinLimits() || s.objective() != hard_objective || penalisedObjective(s, weights_) != double(hard_objective)))
      throw Error("Internal", "the soft evaluation of a feasible solution has excess or another cost");
    localSearch(p_, s, nb_, options.limits.deadline_s, region, &weights_, verify_);
    recordEducation(s, options, infeasible);
    if (!s.withinLimits()) {
      infeasible.add(s);
      if (std::uniform_real_distribution<double>(0, 1)(rng_) < options.repair_share) {
        const PenaltyWeights strong{weights_.load * 10, weights_.time_warp * 10};
        localSearch(p_, s, nb_, options.limits.deadline_s, region, &strong, verify_);
      }
      if (!s.withinLimits()) {
        ++stats.iterations;  // a child dropped as infeasible still counts, so iteration caps end
        return std::nullopt;
      }
    }
    // Within the limits: evaluated hard again, every route must pass (it cannot fail: soft and hard
    // evaluation agree without excess; checked all the same, as only feasible solutions go on).
    const int64_t soft_objective = s.objective();
    s.soft = false;
    s.refreshAll(p_);
    for (const RouteTotals& r : s.totals)
      if (!r.feasible) {
        if (verify_) throw Error("Internal", "a soft solution within capacities and time windows is infeasible");
        return std::nullopt;
      }
    if (verify_ && s.objective() != soft_objective) throw Error("Internal", "soft and hard evaluations disagree on a feasible solution's cost");
  }
  SisrOptions so;
  so.deadline_s = options.limits.deadline_s;
  so.cancel = options.limits.cancel;
  uint64_t burst = options.education_iterations ? options.education_iterations : educationIterations(p_.taskCount());
  if (local_search) burst = uint64_t(double(burst) * options.burst_after_local_search);
  so.max_iterations = std::min(burst, options.limits.max_iterations - std::min(options.limits.max_iterations, stats.iterations));
  so.temperature_factor = options.education_temperature;
  if (focus && !focus->empty()) so.focus = focus;
  SearchStats burst_stats;
  Solution out = sisr_.run(std::move(s), so, burst_stats, [](const Solution&) {});
  stats.iterations += burst_stats.iterations;
  return out;
}

Solution Hgs::run(const Solution& start, const HgsOptions& options, SearchStats& stats, const std::function<void(const Solution&)>& on_best) {
  Population population(p_, options.population), infeasible(p_, options.population);
  infeasible.setWeights(weights_);
  const std::vector<uint32_t> all = insertableTasks(p_, assignable_);
  uint64_t last_improvement = stats.iterations, generations_since = 0;
  const auto& limits = options.limits;
  double next_exchange = limits.exchange && limits.exchange_every_s > 0 ? searchNow() + limits.exchange_every_s : limits.deadline_s;
  auto offer = [&](const std::optional<Solution>& s) {
    if (s && population.add(*s)) {
      ++stats.improvements;
      last_improvement = stats.iterations;
      generations_since = 0;
      on_best(population.best());
    }
  };
  population.add(start);
  // The initial population: the start educated, then greedy insertions in random orders, educated.
  auto seedPopulation = [&] {
    for (uint32_t i = 0; i < options.initial_individuals && !stopped(options, stats); ++i) {
      Solution s = i == 0 ? population.best() : Solution(p_);
      if (i > 0) {
        std::vector<uint32_t> tasks = all;
        sisr_.recreate(s, tasks);
      }
      offer(educate(std::move(s), nullptr, nullptr, options, stats, infeasible));
    }
  };
  seedPopulation();
  std::vector<uint32_t> missing;
  std::vector<uint8_t> region;
  while (!stopped(options, stats)) {
    const double t = searchNow();
    if (t >= next_exchange) {
      next_exchange = t + limits.exchange_every_s;
      Solution shared = population.best();
      if (limits.exchange(shared)) offer(shared);
    }
    if (limits.schedule_iterations != UINT64_MAX && stats.iterations >= limits.schedule_iterations &&
        stats.iterations - last_improvement >= limits.converge_after) {
      stats.converged = true;
      break;
    }
    if (generations_since >= options.restart_after) {
      population.keepBestOnly();
      infeasible.clear();
      generations_since = 0;
      seedPopulation();
      continue;
    }
    ++generations_since;
    // Parents by binary tournament in one of the two subpopulations, chosen by their sizes.
    auto parent = [&]() -> const Solution& {
      const size_t f = population.size(), i = infeasible.size();
      if (i > 0 && std::uniform_int_distribution<size_t>(0, f + i - 1)(rng_) >= f) return infeasible.select(rng_);
      return population.select(rng_);
    };
    const Solution& a = parent();
    const Solution* b = &parent();
    for (int tries = 0; b == &a && tries < 3 && population.size() + infeasible.size() > 1; ++tries) b = &parent();
    missing.clear();
    Solution child = srexCrossover(p_, nb_, vehicle_class_, a, *b, rng_, missing);
    std::vector<uint32_t> repaired = missing;
    sisr_.recreate(child, missing);
    // The local search moves the tasks of the routes that differ from parent a's (the exchanged
    // region and the repairs): the operators scan every task, which costs too much per child.
    region.assign(p_.taskCount(), 0);
    for (uint32_t v = 0; v < p_.vehicleCount(); ++v)
      if (child.routes[v] != a.routes[v])
        for (uint32_t t : child.routes[v]) region[t] = 1;
    offer(educate(std::move(child), &repaired, &region, options, stats, infeasible));
  }
  return population.best();
}

}  // namespace waymark::vrp
