#pragma once
// Hybrid genetic search (Vidal 2012/2022) over Waymark's operators: a population managed by biased
// fitness (objective rank + diversity rank, broken-pairs distance), parents by binary tournament,
// children by SREX crossover repaired by greedy insertion (the Inserter, through SISR's recreate),
// and education by a short SISR burst (ruin & recreate with annealing) whose ruins are seeded half
// of the time at the repaired tasks. Children are always feasible (repair, no penalties), so one
// operator set serves every variant and the solver's checks apply unchanged.
#include <functional>

#include "vrp/algorithms/sisr.h"
#include "vrp/structures/population.h"

namespace waymark::vrp {

struct HgsOptions {
  PopulationParams population;
  uint32_t initial_individuals = 8;  // the start solution, then greedy insertions in random orders
  uint64_t education_iterations = 0;  // SISR iterations per child; 0 = educationIterations(tasks)
  double education_temperature = 0.3;  // SISR's temperature factor during an education
  // Generations without a new best before the population restarts around its best.
  uint64_t restart_after = 400;
  // Shared with SISR: deadline, iteration cap (counted in SISR iterations, so that a seed gives the
  // same answer on any machine), convergence, cancel and the threads' exchange.
  SisrOptions limits;
};

uint64_t educationIterations(uint32_t tasks);

class Hgs {
 public:
  Hgs(const Problem& p, const Neighbors& nb, const std::vector<uint8_t>& assignable, uint64_t seed, bool verify_fast_path = false);
  Solution run(const Solution& start, const HgsOptions& options, SearchStats& stats, const std::function<void(const Solution&)>& on_best);

 private:
  // A short SISR run from s; false when the limits stopped it before it began.
  Solution educate(const Solution& s, const std::vector<uint32_t>* focus, const HgsOptions& options, SearchStats& stats);
  bool stopped(const HgsOptions& options, const SearchStats& stats) const;
  const Problem& p_;
  const Neighbors& nb_;
  const std::vector<uint8_t>& assignable_;
  Rng rng_;
  Sisr sisr_;
  std::vector<uint32_t> vehicle_class_;
};

}  // namespace waymark::vrp
