#pragma once
// The solver: checks which tasks can be served at all (and why not), builds a first solution by
// greedy insertion, improves it with local search, then runs a search on every thread (SISR, the
// hybrid genetic search, or by default a portfolio of both: SearchKind) until the time limit or
// until every thread has converged; the best solution wins (ties:
// the lowest thread). A single vehicle with at most kExhaustiveTasks tasks is solved exactly by
// enumerating every sequence of every subset instead.
#include <cstdint>
#include <string>
#include <vector>

#include "vrp/algorithms/hgs.h"
#include "vrp/algorithms/sisr.h"

namespace waymark::vrp {

// Why the search stopped.
enum class StopReason : uint8_t { kTimeLimit, kConverged, kExhaustive, kIterations, kCancelled };
const char* stopReasonName(StopReason r);

// Small problems need not use their whole time limit: each search thread cools down within
// scheduleIterations (2000 + n² max(4, n/4): growing with the cube of the size, so that from about a
// hundred tasks on the time limit comes first) and then stops after convergenceIterations without a
// new best.
uint64_t scheduleIterations(uint32_t tasks);
uint64_t convergenceIterations(uint32_t tasks);

constexpr uint32_t kExhaustiveTasks = 8;

// What the search threads run: SISR on every thread, the hybrid genetic search on every thread, or
// a portfolio (SISR on the even threads, HGS on the odd ones; the threads exchange bests). The
// portfolio is the default: it beat SISR on CVRPLIB X at 5 s and 30 s and on Solomon at 5 s, in
// CPU-budgeted side-by-side runs (README "Benchmark gaps").
enum class SearchKind : uint8_t { kSisr, kHgs, kPortfolio };

struct SolveOptions {
  double time_limit_s = 5;
  uint64_t seed = 1;
  unsigned threads = 0;  // 0 = all cores
  uint64_t max_iterations = UINT64_MAX;  // per thread; set for runs reproducible regardless of speed
  bool run_to_time_limit = false;        // no early stop (convergence, exhaustive search): search until the limit
  bool verify_fast_path = false;         // tests: cross-check O(1) feasibility against exact evaluation
  // Benchmarks: time_limit_s counts CPU seconds of the process divided by the thread count (a
  // budget of time_limit_s x threads CPU-seconds), so that figures do not depend on the load.
  bool cpu_time_limit = false;
  SearchKind search = SearchKind::kPortfolio;
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
  uint32_t fleet_restarts = 0;  // further fleet minimisations (all threads; problems with fixed costs)
  StopReason stop_reason = StopReason::kTimeLimit;
};

SolveResult solve(const Problem& p, const SolveOptions& options);

}  // namespace waymark::vrp
