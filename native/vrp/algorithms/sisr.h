#pragma once
// Slack Induction by String Removals (Christiaens & Vanden Berghe 2020): remove strings of tasks
// from routes near a random seed, reinsert greedily with blinks, accept by simulated annealing.
#include <atomic>
#include <functional>

#include "vrp/algorithms/insertion.h"
#include "vrp/algorithms/soft_capacity.h"
#include "vrp/structures/neighbors.h"

namespace waymark::vrp {

struct SisrOptions {
  double average_removed = 10;  // c-bar
  double max_string = 10;       // L-max
  double blink = 0.01;
  // The split-string removal: the share of strings that keep tasks in their middle (alpha), and the
  // chance to stop growing the kept part at each further task (beta; 0.01 keeps long parts).
  double split_rate = 0.5;
  double split_depth = 0.01;
  double temperature_factor = 1.0;  // start temperature in average arc costs (end: a hundredth of it)
  double deadline_s = 0;        // steady clock seconds
  uint64_t max_iterations = UINT64_MAX;
  // Cool down within this many iterations at most (or by the deadline, whichever comes first); once
  // cooled, stop after converge_after iterations in a row without a new best (converged).
  uint64_t schedule_iterations = UINT64_MAX;
  uint64_t converge_after = UINT64_MAX;
  const std::atomic<int32_t>* cancel = nullptr;  // non-zero: stop now, keeping the best so far
  // Warm starts (replans): the tasks the previous plan did not hold. A share of the ruins is seeded
  // at one of them, so that a short search works where the plan changed.
  const std::vector<uint32_t>* focus = nullptr;
  // Parallel searches meet every exchange_every_s seconds: `exchange` is given this search's best
  // and answers true when it replaced it by a better one found elsewhere (the search goes on from
  // there). Unset with max_iterations, so that a seed gives the same answer on any machine.
  std::function<bool(Solution&)> exchange;
  double exchange_every_s = 0;
  double focus_share = 0.5;
  // The routes this search may change (non-zero entries; null: all): ruins start and remove only in
  // them and the recreate inserts only into them (regionSearch: threads own disjoint parts).
  const std::vector<uint8_t>* vehicles = nullptr;
  // The cooling schedule's part this run covers (regionSearch: one phase of a longer schedule), and
  // the average arc cost the temperatures are relative to (0: the start's).
  double progress_from = 0, progress_to = 1;
  double arc_cost = 0;
  // Soft capacities (soft_capacity.h; regionSearch on a replan): the annealing and the best judge
  // the objective plus the price of the load above the real capacities, and the recreate places
  // jobs by it. The best may then be over capacity: the caller unloads it.
  SoftCapacity soft;
};

// Where a ruin starts: a random task in a route, or with probability `share` one of `tasks` (the
// caller's: a replan's new tasks, the fleet minimisation's pool). With `anchor_unassigned`, a seed
// out of every route still anchors the ruin: the strings near it go, making room where it must go.
struct RuinSeeds {
  const std::vector<uint32_t>* tasks = nullptr;
  double share = 0.5;
  bool anchor_unassigned = false;
};

// The cost of an average arc of s's routes (at least 1), the unit of SISR's temperatures, so they
// suit any unit. Vehicles' fixed costs are left out: they would make a hierarchical objective (Li &
// Lim's) hundreds of times hotter.
double averageArcCost(const Problem& p, const Solution& s);

struct SearchStats {
  uint64_t iterations = 0;
  uint64_t improvements = 0;
  bool converged = false;  // cooled down and stopped by converge_after
};

class Sisr {
 public:
  Sisr(const Problem& p, const Neighbors& nb, const std::vector<uint8_t>& assignable, uint64_t seed, bool verify_fast_path = false);
  // Greedy insertion of every assignable unassigned task (the construction, and SISR's recreate).
  void recreate(Solution& s, std::vector<uint32_t>& tasks);
  // Runs until the deadline or iteration limit; returns the best solution found. `on_best` is told
  // of every new best.
  Solution run(Solution start, const SisrOptions& options, SearchStats& stats, const std::function<void(const Solution&)>& on_best);
  // SISR's ruin (string removals, split strings; sizes from the options of the last run, else the
  // defaults): the removed jobs and pickups (a shipment by its pickup) are appended to `removed`.
  // The one ruin of the search and of the fleet minimisation.
  void ruin(Solution& s, std::vector<uint32_t>& removed, const RuinSeeds& seeds = {});
  // With verify_fast_path: throws Internal when, over hundreds of chances, the split strings or the
  // ruins seeded at the caller's tasks that the rates ask for never happened.
  void verifyRuinCounts() const;
  // The ruin's sizes and split rate for callers that ruin without running (the fleet minimisation).
  void setRuinOptions(const SisrOptions& o) { options_ = o; }

 private:
  bool owned(int32_t v) const { return !options_.vehicles || (*options_.vehicles)[size_t(v)] != 0; }
  void removeTask(Solution& s, uint32_t t, std::vector<uint32_t>& removed);
  // Per vehicle during one ruin: 0 untouched, 1 its totals follow the removals in O(1) each
  // (removal_totals_, Inserter::incrementalTotals), 2 it is evaluated again afterwards, 3 like 1
  // but time windows bind: the waiting and feasibility come afterwards from its segments
  // (Inserter::timedTotals).
  std::vector<uint8_t> removal_state_;
  std::vector<RouteTotals> removal_totals_;
  // The search ruins and recreates its current solution in place and, when the annealing refuses
  // the result, puts back the routes it touched: a copy of the whole solution per iteration (one
  // allocation per route) cost about a tenth of the iteration at n = 1000.
  struct SavedRoute {
    uint32_t vehicle = 0;
    std::vector<uint32_t> route;
    RouteTotals totals;
    uint64_t version = 0;
  };
  void beginJournal(const Solution& s);
  void save(const Solution& s, uint32_t v);  // before route v first changes
  void undo(Solution& s);
  bool verify_ = false;  // check every undo against a full re-evaluation (tests)
  bool journaling_ = false;
  std::vector<SavedRoute> saved_;
  size_t saved_count_ = 0;
  std::vector<uint8_t> route_saved_;  // per vehicle
  int64_t saved_cost_ = 0, saved_penalty_ = 0, saved_excess_load_ = 0, saved_time_warp_ = 0;
  std::vector<uint32_t> ruined_, order_, string_;  // ruin's scratch
  std::vector<uint32_t> kept_;  // the split string's kept tasks (checked with verify_)
  uint64_t splittable_strings_ = 0, split_strings_ = 0;  // counted for verify_
  uint64_t seed_draws_ = 0, seeded_ruins_ = 0;  // ruins offered anchoring seeds at a share of a tenth or more; seeded there
  const Problem& p_;
  const Neighbors& nb_;
  const std::vector<uint8_t>& assignable_;
  Rng rng_;
  Inserter inserter_;
  SisrOptions options_;
  std::vector<double> far_;  // distance from the depot-ish reference, for "far first" ordering
  std::vector<uint8_t> in_removed_;  // scratch: 1 for tasks in the removed list
  int64_t unplaceable_penalty_ = 0;  // penalties of the tasks no vehicle can serve
};

}  // namespace waymark::vrp
