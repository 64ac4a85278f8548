#pragma once
// Hybrid genetic search (Vidal 2012/2022) over Waymark's operators: a population managed by biased
// fitness (objective rank + diversity rank, broken-pairs distance), parents by binary tournament,
// children by SREX crossover repaired by greedy insertion (the Inserter, through SISR's recreate).
// Education (Vidal 2012): the local search (the solver's one operator set, SWAP* included, over the
// granular neighbour lists, first improvement) on the penalised cost, where capacities and time
// windows are soft (excess load and time warp weighted by penalty coefficients that adapt so that
// about target_feasible of the educated children come out feasible); an infeasible child joins the
// infeasible subpopulation and, half of the time, is repaired by the local search with ten times
// the penalties. A feasible child then gets a short SISR burst (ruin & recreate with annealing)
// whose ruins are seeded half of the time at the repaired tasks. Only feasible (hard-evaluated)
// solutions reach the feasible subpopulation, the threads' exchange and the caller.
#include <functional>
#include <optional>

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
  // Penalised education (off: the child goes straight to the SISR burst, as before penalties).
  bool penalised_education = true;
  double target_feasible = 0.2;   // share of educated children within capacity and time windows
  uint32_t penalty_interval = 50;  // educations between penalty adjustments
  double repair_share = 0.5;       // infeasible children repaired with ten times the penalties
  double local_search_share = 1.0;  // children educated by the penalised local search (the others: SISR only)
  double burst_after_local_search = 1.0;  // SISR burst after a local search, as a share of the usual one
  // Shared with SISR: deadline, iteration cap (counted in SISR iterations, so that a seed gives the
  // same answer on any machine), convergence, cancel and the threads' exchange.
  SisrOptions limits;
};

uint64_t educationIterations(uint32_t tasks);

// Vidal's starting coefficients: a unit of excess load costs the longest arc over the largest
// demand (within 0.1..1000); a unit of time warp costs one unit of cost.
PenaltyWeights initialPenaltyWeights(const Problem& p);

// One adaptation step: a coefficient grows by 20 % when fewer than target - 5 % of the last
// educations were within that limit, shrinks by 15 % when more than target + 5 % were.
double adjustPenalty(double weight, double feasible_share, double target);

class Hgs {
 public:
  Hgs(const Problem& p, const Neighbors& nb, const std::vector<uint8_t>& assignable, uint64_t seed, bool verify_fast_path = false);
  Solution run(const Solution& start, const HgsOptions& options, SearchStats& stats, const std::function<void(const Solution&)>& on_best);

 private:
  // Penalised local search (infeasible results go to `infeasible`, repaired half of the time), then
  // a short SISR run; nothing when the child stayed infeasible.
  // region: the tasks the local search moves (nullptr: no local search, the initial individuals).
  std::optional<Solution> educate(Solution s, const std::vector<uint32_t>* focus, const std::vector<uint8_t>* region, const HgsOptions& options,
                                  SearchStats& stats, Population& infeasible);
  void recordEducation(const Solution& s, const HgsOptions& options, Population& infeasible);
  bool stopped(const HgsOptions& options, const SearchStats& stats) const;
  const Problem& p_;
  const Neighbors& nb_;
  const std::vector<uint8_t>& assignable_;
  Rng rng_;
  Sisr sisr_;
  std::vector<uint32_t> vehicle_class_;
  PenaltyWeights weights_;
  // Self-checks (verify_fast_path): a feasible child evaluated soft has no excess and the same cost
  // (its penalised cost is its cost), and a soft solution within the limits is feasible hard with
  // the same cost.
  bool verify_;
  uint32_t educated_ = 0, load_ok_ = 0, warp_ok_ = 0;
};

}  // namespace waymark::vrp
