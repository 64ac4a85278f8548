#pragma once
// The population of the hybrid genetic search (Vidal et al. 2012, "A hybrid genetic algorithm for
// multidepot and periodic vehicle routing problems"; Vidal 2022, "Hybrid genetic search for the
// CVRP: open-source implementation and SWAP* neighborhood"): solutions ranked by a biased fitness
// that adds to the rank by objective the rank by contribution to diversity (mean broken-pairs
// distance to the closest others), so that the survivors stay both good and different. The search
// keeps two: feasible solutions, and soft ones over capacity or late, ranked by their penalised
// objective under the current penalty weights.
#include <cstdint>
#include <vector>

#include "vrp/structures/solution.h"

namespace waymark::vrp {

struct PopulationParams {
  uint32_t mu = 12;       // survivors after a selection
  uint32_t lambda = 20;   // children between selections (the population grows to mu + lambda)
  uint32_t elite = 4;     // nbElite: the best by objective keep their place whatever their diversity
  uint32_t close = 5;     // nbClose: diversity is the mean distance to this many closest others
};

struct Individual {
  Solution solution;
  // Per task: the task before and after it on its route (kNone at a route end), or kUnserved.
  std::vector<int32_t> pred, succ;
  double biased_fitness = 0;
  double diversity = 0;  // mean broken-pairs distance to the `close` nearest others
};

class Population {
 public:
  static constexpr int32_t kUnserved = -2;
  Population(const Problem& p, const PopulationParams& params) : p_(p), params_(params) {}
  // Adds a solution; when the population reaches mu + lambda, keeps the mu best by biased fitness
  // (clones go first). Returns true when it is the best objective so far.
  bool add(const Solution& s);
  // The weights the ranking applies to soft solutions' excess (no effect on feasible ones).
  void setWeights(const PenaltyWeights& w) { weights_ = w; }
  double score(const Solution& s) const { return penalisedObjective(s, weights_); }
  // Binary tournament by biased fitness.
  const Solution& select(Rng& rng);
  const Solution& best() const { return individuals_[best_].solution; }
  bool empty() const { return individuals_.empty(); }
  size_t size() const { return individuals_.size(); }
  // Broken-pairs distance: the share of tasks whose predecessor or successor differs (a task served
  // in one solution and not in the other counts as broken).
  double distance(const Individual& a, const Individual& b) const;
  // Drops everyone but the best (a restart when the search stagnates).
  void keepBestOnly();
  void clear() { individuals_.clear(); best_ = 0; }

 private:
  void updateFitness();
  void removeWorst();
  const Problem& p_;
  PopulationParams params_;
  std::vector<Individual> individuals_;
  size_t best_ = 0;
  PenaltyWeights weights_;
};

}  // namespace waymark::vrp
