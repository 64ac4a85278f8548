#pragma once
// The solver: checks which tasks can be served at all (and why not), builds a first solution by
// greedy insertion, improves it with local search, then runs independent SISR searches on all
// threads until the time limit; the best solution wins (ties: the lowest thread).
#include <cstdint>
#include <string>
#include <vector>

#include "vrp/algorithms/sisr.h"

namespace waymark::vrp {

struct SolveOptions {
  double time_limit_s = 5;
  uint64_t seed = 1;
  unsigned threads = 0;  // 0 = all cores
  uint64_t max_iterations = UINT64_MAX;  // per thread; set for runs reproducible regardless of speed
  bool verify_fast_path = false;         // tests: cross-check O(1) feasibility against exact evaluation
  // Cooperative control (shared with the caller, e.g. a SharedArrayBuffer): cancel[0] != 0 stops the
  // search within an iteration, keeping the best solution; progress receives
  // [best objective, iterations, improvements, elapsed seconds, best cost] whenever the best improves.
  const std::atomic<int32_t>* cancel = nullptr;
  double* progress = nullptr;
  // Warm start (vehicle steps, a previous plan): per vehicle, the tasks its first route holds, in
  // order. A route that breaks a constraint keeps only its pinned tasks, or nothing if those do not
  // fit either; whatever is left out is inserted as usual.
  const std::vector<std::vector<uint32_t>>* initial_routes = nullptr;
};

struct SolveResult {
  Solution best;
  std::vector<std::string> unassigned_reason;  // per task; empty when the task could be served
  double seconds_first_solution = 0;
  double seconds_total = 0;
  uint64_t iterations = 0;
  uint64_t improvements = 0;
};

SolveResult solve(const Problem& p, const SolveOptions& options);

}  // namespace waymark::vrp
