#include "vrp/algorithms/hgs.h"

#include <algorithm>

#include "vrp/algorithms/clock.h"
#include "vrp/algorithms/srex.h"

namespace waymark::vrp {

uint64_t educationIterations(uint32_t tasks) { return std::clamp<uint64_t>(uint64_t(tasks) * 10, 500, 2000); }

Hgs::Hgs(const Problem& p, const Neighbors& nb, const std::vector<uint8_t>& assignable, uint64_t seed, bool verify_fast_path)
    : p_(p), nb_(nb), assignable_(assignable), rng_(seed), sisr_(p, nb, assignable, seed ^ 0x9e3779b97f4a7c15ULL, verify_fast_path),
      vehicle_class_(interchangeableVehicles(p)) {}

bool Hgs::stopped(const HgsOptions& options, const SearchStats& stats) const {
  return stats.iterations >= options.limits.max_iterations || searchNow() >= options.limits.deadline_s ||
         (options.limits.cancel && options.limits.cancel->load(std::memory_order_relaxed) != 0);
}

Solution Hgs::educate(const Solution& s, const std::vector<uint32_t>* focus, const HgsOptions& options, SearchStats& stats) {
  SisrOptions so;
  so.deadline_s = options.limits.deadline_s;
  so.cancel = options.limits.cancel;
  const uint64_t burst = options.education_iterations ? options.education_iterations : educationIterations(p_.taskCount());
  so.max_iterations = std::min(burst, options.limits.max_iterations - std::min(options.limits.max_iterations, stats.iterations));
  so.temperature_factor = options.education_temperature;
  if (focus && !focus->empty()) so.focus = focus;
  SearchStats burst_stats;
  Solution out = sisr_.run(s, so, burst_stats, [](const Solution&) {});
  stats.iterations += burst_stats.iterations;
  return out;
}

Solution Hgs::run(const Solution& start, const HgsOptions& options, SearchStats& stats, const std::function<void(const Solution&)>& on_best) {
  Population population(p_, options.population);
  const std::vector<uint32_t> all = insertableTasks(p_, assignable_);
  uint64_t last_improvement = stats.iterations, generations_since = 0;
  const auto& limits = options.limits;
  double next_exchange = limits.exchange && limits.exchange_every_s > 0 ? searchNow() + limits.exchange_every_s : limits.deadline_s;
  auto offer = [&](const Solution& s) {
    if (population.add(s)) {
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
      offer(educate(s, nullptr, options, stats));
    }
  };
  seedPopulation();
  std::vector<uint32_t> missing;
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
      generations_since = 0;
      seedPopulation();
      continue;
    }
    ++generations_since;
    const Solution& a = population.select(rng_);
    const Solution* b = &population.select(rng_);
    for (int tries = 0; b == &a && tries < 3 && population.size() > 1; ++tries) b = &population.select(rng_);
    missing.clear();
    Solution child = srexCrossover(p_, nb_, vehicle_class_, a, *b, rng_, missing);
    std::vector<uint32_t> repaired = missing;
    sisr_.recreate(child, missing);
    offer(educate(child, &repaired, options, stats));
  }
  return population.best();
}

}  // namespace waymark::vrp
