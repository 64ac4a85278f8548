#pragma once
// Region search for warm starts (replans): the threads own disjoint groups of neighbouring routes
// for a phase and each anneals its own group; after the phase the groups merge and the routes are
// grouped afresh around other seeds. One shared plan then gets all the threads' iterations in one
// cooling schedule, where independent searches (one plan each, the best kept) would give each plan
// only its thread's share: for a replan's 2 s that is the difference that matters (README, issue 20).
// On one thread it is one group: SISR over the whole plan on the same hot schedule, going on from
// its best after each phase.
#include <atomic>
#include <cstdint>
#include <functional>
#include <vector>

#include "vrp/algorithms/sisr.h"
#include "vrp/structures/neighbors.h"
#include "vrp/structures/problem.h"
#include "vrp/structures/solution.h"

namespace waymark::vrp {

struct RegionSearchOptions {
  unsigned threads = 2;
  uint32_t phases = 10;
  double deadline_s = 0;                // search clock
  uint64_t max_iterations = UINT64_MAX;  // per thread over all phases (an iteration cap: the same plan on any machine)
  // The early stop (SisrOptions's; setEarlyStop): the cooling schedule's iterations per thread,
  // shared out over the phases like the cap, and a phase ends once it has cooled and made no new
  // best for converge_after iterations. A small replan then answers in milliseconds.
  uint64_t schedule_iterations = UINT64_MAX;
  uint64_t converge_after = UINT64_MAX;
  double temperature_factor = 1.0;      // start temperature in average arc costs
  const std::vector<uint32_t>* focus = nullptr;  // SisrOptions::focus
  const std::atomic<int32_t>* cancel = nullptr;
  unsigned clock_threads = 0;  // ScopedSearchClock's mode for the search threads
  uint64_t seed = 1;
  bool verify = false;
  std::function<void(const Solution&)> on_best;  // after a phase that improved the plan (job progress) and is within the real capacities
  // Soft capacities (soft_capacity.h): p's capacities are raised, these are the real ones, and the
  // load above them is priced per unit from first_weight in the first phase to last_weight in the
  // last (geometrically, per dimension). The answer may then be over capacity.
  const std::vector<int64_t>* soft_capacity = nullptr;
  std::vector<double> first_weight, last_weight;
};

// Per vehicle, its group in [0, parts): each group grown from a random route by the routes its
// tasks' neighbours lie in, up to an even share of the assigned tasks; empty vehicles round robin.
std::vector<uint32_t> groupRoutes(const Problem& p, const Solution& s, const Neighbors& nb, unsigned parts, Rng& rng);

// `start` improved by phases of per-group SISR (see above); never worse than `start` (with soft
// capacities each phase is never worse by its own prices only: the answer may be over capacity).
// stats: per thread (o.threads of them), summed over the phases; converged when every phase ran
// and the last one stopped converged on every thread.
Solution regionSearch(const Problem& p, const Neighbors& nb, const std::vector<uint8_t>& assignable, Solution start, const RegionSearchOptions& o,
                      std::vector<SearchStats>& stats);

}  // namespace waymark::vrp
