#include "vrp/algorithms/solver.h"

#include <algorithm>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>

#include "common/parallel.h"
#include "vrp/algorithms/clock.h"
#include "vrp/algorithms/fleet_min.h"
#include "vrp/algorithms/local_search.h"
#include "vrp/algorithms/region_search.h"
#include "vrp/algorithms/soft_capacity.h"
#include "vrp/algorithms/soft_insertion.h"

namespace waymark::vrp {

namespace {

// Why no vehicle can serve task t on its own (empty string when one can).
std::string whyUnassignable(const Problem& p, uint32_t t) {
  std::vector<uint32_t> seq{t};
  if (p.partner[t] != kNone) seq.push_back(static_cast<uint32_t>(p.partner[t]));
  bool reach = false, skills = false, capacity = false;
  for (uint32_t v = 0; v < p.vehicleCount(); ++v) {
    bool ok = true;
    for (uint32_t x : seq) ok = ok && p.reachable(v, x);
    if (!ok) continue;
    reach = true;
    for (uint32_t x : seq) ok = ok && p.compatible(v, x);
    if (!ok) continue;
    skills = true;
    bool fits = true;
    for (uint32_t d = 0; d < p.dims; ++d)
      for (uint32_t x : seq)
        fits = fits && p.delivery[size_t(x) * p.dims + d] <= p.capacity[size_t(v) * p.dims + d] &&
               p.pickup[size_t(x) * p.dims + d] <= p.capacity[size_t(v) * p.dims + d];
    if (!fits) continue;
    capacity = true;
    if (evaluateRoute(p, v, seq).feasible) return "";
  }
  if (!reach) return "no vehicle can reach it on the road network and return";
  if (!skills) return "no vehicle has the skills it requires";
  if (!capacity) return "its amounts exceed the capacity of every vehicle that has the skills";
  return "no vehicle can reach it within its time windows and the vehicle's time window, breaks and limits";
}

// Every sequence of every subset of the assignable tasks on the only vehicle (a shipment's two
// tasks are placed separately; the route evaluation refuses a delivery before its pickup, or
// alone): the exact optimum of the lexicographic objective. About 110,000 route evaluations for 8
// tasks. False when the problem is not that small.
bool solveExhaustively(const Problem& p, const std::vector<uint8_t>& assignable, Solution& out) {
  std::vector<uint32_t> tasks;
  for (uint32_t t = 0; t < p.taskCount(); ++t)
    if (assignable[t]) tasks.push_back(t);
  if (p.vehicleCount() != 1 || tasks.size() > kExhaustiveTasks) return false;
  int64_t all_penalties = 0;
  for (uint32_t t : tasks) all_penalties += Solution::penaltyOf(p, t);
  std::vector<uint32_t> sequence, best_sequence;
  std::vector<uint8_t> used(tasks.size(), 0);
  int64_t best = all_penalties;  // the empty route
  auto visit = [&](auto&& self, int64_t served_penalties) -> void {
    if (!sequence.empty()) {
      const RouteTotals r = evaluateRoute(p, 0, sequence);
      const int64_t objective = r.cost + all_penalties - served_penalties;
      if (r.feasible && objective < best) {
        best = objective;
        best_sequence = sequence;
      }
    }
    for (size_t i = 0; i < tasks.size(); ++i) {
      if (used[i]) continue;
      used[i] = 1;
      sequence.push_back(tasks[i]);
      self(self, served_penalties + Solution::penaltyOf(p, tasks[i]));
      sequence.pop_back();
      used[i] = 0;
    }
  };
  visit(visit, 0);
  out = Solution(p);
  out.routes[0] = best_sequence;
  out.refreshAll(p);
  return true;
}

// The neighbour lists' length: the moves', HGS's and fleet minimisation's (Toth & Vigo's granular
// search), and the longer lists of SISR's ruins and insertions, cold and warm (see solve()).
constexpr uint32_t kNeighbors = 40, kSisrNeighbors = 80;

// A replan's soft capacities (soft_capacity.h): the search's problem has every capacity raised by a
// quarter, and an average job's delivery above capacity costs 1 average arc in the first phase of
// the region search, 60 in the last. bench replan (six plans x 3 replans a pass; README, issue 20):
// raised by 10, 14, 20 or 22 units of 53 alike; a first price of 1 arc +1.08 to +1.39 % a pass,
// 0.6 arcs +1.18 to +1.39 %, 2 arcs +1.48 / +1.54 %, 0.2 arcs +1.78 %; last prices of 16 to 200
// arcs alike.
constexpr double kSoftCapacityRaise = 0.25, kSoftCapacityFirstWeight = 1.0, kSoftCapacityLastWeight = 60.0;

// The warm start's routes, each kept whole if feasible, else its pinned tasks only, else nothing.
void seedRoutes(const Problem& p, const std::vector<std::vector<uint32_t>>& initial, Solution& s) {
  std::vector<uint8_t> used(p.taskCount(), 0);
  for (uint32_t v = 0; v < p.vehicleCount() && v < initial.size(); ++v) {
    std::vector<uint32_t> route;
    for (uint32_t t : initial[v])
      if (t < p.taskCount() && !used[t]) route.push_back(t);
    if (!evaluateRoute(p, v, route).feasible) {
      std::erase_if(route, [&](uint32_t t) { return !p.pinned(t); });
      if (!evaluateRoute(p, v, route).feasible) route.clear();
    }
    for (uint32_t t : route) used[t] = 1;
    s.routes[v] = std::move(route);
  }
  s.refreshAll(p);
}

// A route the insertion opened for one new job x, when the routes near x are full: x moves into one
// of them at its best place, ejecting one of its jobs y to y's cheapest place anywhere else, when
// that costs less than the route. Exact route evaluations; a few thousand per opened route, so a
// replan with very many opened routes stops at `deadline_s` and leaves the rest to the search.
void ejectIntoNearbyRoutes(const Problem& p, Solution& s, const Neighbors& nb, Inserter& inserter, Rng& rng, const Solution& seeded,
                           double deadline_s) {
  std::vector<uint32_t> seq, best_seq, near;
  for (uint32_t v = 0; v < p.vehicleCount() && searchNow() < deadline_s; ++v) {
    if (s.routes[v].size() != 1 || !seeded.routes[v].empty()) continue;
    const uint32_t x = s.routes[v][0];
    if (p.kind[x] != TaskKind::kJob || p.pinned(x)) continue;
    near.clear();
    for (uint32_t k = 0; k < nb.k; ++k) {
      const int32_t r = s.route_of[nb.of(x)[k]];
      if (r != kNone && uint32_t(r) != v && std::find(near.begin(), near.end(), uint32_t(r)) == near.end()) near.push_back(uint32_t(r));
    }
    Solution best = s;
    for (uint32_t r : near) {
      const auto& route = s.routes[r];
      for (size_t j = 0; j < route.size(); ++j) {
        const uint32_t y = route[j];
        if (p.kind[y] != TaskKind::kJob || p.pinned(y)) continue;
        int64_t cheapest = std::numeric_limits<int64_t>::max();
        for (size_t i = 0; i <= route.size(); ++i) {  // x before the route's i-th job (i = size: last)
          seq.clear();
          for (size_t q = 0; q < route.size(); ++q) {
            if (q == i) seq.push_back(x);
            if (q != j) seq.push_back(route[q]);
          }
          if (i == route.size()) seq.push_back(x);
          const RouteTotals t = evaluateRoute(p, r, seq);
          if (t.feasible && t.cost < cheapest) cheapest = t.cost, best_seq = seq;
        }
        if (cheapest == std::numeric_limits<int64_t>::max() || cheapest - s.totals[r].cost >= s.totals[v].cost + best.objective() - s.objective()) continue;
        Solution trial = s;
        trial.routes[r] = best_seq;
        trial.route_of[y] = kNone;
        trial.penalty += Solution::penaltyOf(p, y);
        trial.routes[v].clear();
        trial.refresh(p, r);
        trial.refresh(p, v);
        const Insertion ins = inserter.best(trial, y, rng, 0.0);
        if (!ins.found) continue;
        inserter.apply(trial, y, ins);
        if (trial.objective() < best.objective()) best = std::move(trial);
      }
    }
    s = std::move(best);
  }
}

}  // namespace

const char* stopReasonName(StopReason r) {
  switch (r) {
    case StopReason::kConverged: return "converged";
    case StopReason::kExhaustive: return "exhaustive";
    case StopReason::kIterations: return "iterations";
    case StopReason::kCancelled: return "cancelled";
    case StopReason::kTimeLimit: break;
  }
  return "time_limit";
}

// Cubic from 16 tasks on: 2000 + 4 n² (42,000 iterations at 100 tasks) stopped every Solomon
// instance after 0.8 s and cost 0.3 points of gap there against searching the 5 s; 252,000 at 100
// tasks is about what one thread makes in 5 s, so from about 100 tasks on the time limit comes
// first, while 25 tasks still stop after 5,900 (milliseconds).
uint64_t scheduleIterations(uint32_t tasks) {
  const uint64_t n = tasks;
  return 2000 + n * n * std::max<uint64_t>(4, n / 4);
}

uint64_t convergenceIterations(uint32_t tasks) { return std::max<uint64_t>(1000, uint64_t(tasks) * 10); }

// The early stop (item 7 of docs/vrp.md) unless the caller asked to run to the time limit.
void setEarlyStop(SisrOptions& so, const SolveOptions& options, uint32_t tasks) {
  if (options.run_to_time_limit) return;
  so.schedule_iterations = scheduleIterations(tasks);
  so.converge_after = convergenceIterations(tasks);
}

SolveResult solve(const Problem& p, const SolveOptions& options) {
  p.validate();
  const unsigned threads = options.threads ? options.threads : defaultThreadCount();
  // Deadlines follow the search clock (wall, or CPU / threads); reported seconds are wall seconds.
  const unsigned clock_threads = options.cpu_time_limit ? threads : 0;
  const ScopedSearchClock clock_mode(clock_threads);
  const double wall_began = wallSeconds();
  auto now = [&] { return wallSeconds() - wall_began; };
  const double began = searchNow();
  const double deadline = began + std::max(0.0, options.time_limit_s);
  const SearchKind search_kind = options.search;
  SolveResult result;
  const uint32_t T = p.taskCount();
  result.unassigned_reason.assign(T, "");
  std::vector<uint8_t> assignable(T, 0);
  parallelFor(T, threads, [&](uint64_t t, unsigned) {
    if (p.kind[t] == TaskKind::kDelivery) return;
    result.unassigned_reason[t] = whyUnassignable(p, static_cast<uint32_t>(t));
    assignable[t] = result.unassigned_reason[t].empty();
  });
  for (uint32_t t = 0; t < T; ++t)
    if (p.kind[t] == TaskKind::kDelivery) {
      result.unassigned_reason[t] = result.unassigned_reason[p.partner[t]];
      assignable[t] = assignable[p.partner[t]];
    }
  if (!options.run_to_time_limit && solveExhaustively(p, assignable, result.best)) {
    result.stop_reason = StopReason::kExhaustive;
    result.seconds_first_solution = result.seconds_total = now();
    if (options.progress) {
      options.progress[0] = double(result.best.objective());
      options.progress[3] = result.seconds_total;
      options.progress[4] = double(result.best.cost);
    }
    return result;
  }
  // First solution: greedy insertion, then local search (bounded by a fifth of the budget).
  Solution start(p);
  // A warm start holding most of the tasks (a replan, fully listed vehicle steps) is already a
  // good plan: the region search below works on it, half its ruins seeded at the tasks it did not hold.
  std::vector<uint32_t> focus;
  bool warm = false;
  bool soft_search = false;
  Problem raised;      // soft_search: p with raised capacities
  Solution plan_only;  // soft_search: the warm start's plan before the new tasks (a fallback)
  if (options.initial_routes) {
    seedRoutes(p, *options.initial_routes, start);
    uint32_t held = 0, wanted = 0;
    for (uint32_t t = 0; t < T; ++t) {
      if (!assignable[t] || p.kind[t] == TaskKind::kDelivery) continue;
      ++wanted;
      if (start.route_of[t] != kNone) ++held;
      else focus.push_back(t);
    }
    warm = wanted > 0 && held * 2 >= wanted;
    // A replan that will search (not plan mode's zero iterations, whose answer is the warm start
    // itself) searches with soft capacities where the problem allows them (soft_capacity.h). bench
    // replan, six plans and from-scratch solves x 3 replans a pass: +1.79 to +1.91 % above from
    // scratch without, +1.22 to +1.37 % with (README, issue 20).
    soft_search = warm && options.max_iterations > 0 && softCapacityApplies(p, start);
    if (soft_search) raised = withRaisedCapacities(p, kSoftCapacityRaise);
  }
  // One O(T^2) pass: SISR's longer lists (the region search's below, the cold SISR threads'), whose
  // first kNeighbors entries are the moves' lists. Cold, the portfolio's SISR thread with the 80-lists
  // against 40, the 29 CVRPLIB X with n >= 500 at 30 s, two passes back to back: 0.73 -> 0.68 % and
  // 0.76 -> 0.71 % (35 better, 21 worse); Solomon and Li & Lim the same (README, issue 20).
  const Neighbors wide(p, kSisrNeighbors, threads);
  const Neighbors neighbors(wide, kNeighbors);
  {
    Sisr builder(p, neighbors, assignable, options.seed, options.verify_fast_path);
    std::vector<uint32_t> all = insertableTasks(p, assignable);
    const Solution seeded = warm ? start : Solution();
    // New jobs into the plan's routes first, the routes mended by the penalised local search
    // (soft_insertion.h): bench replan, the same six plans and from-scratch solves, 3 replans each,
    // five passes against four: +1.16 % above from scratch against +1.34 % with the greedy insertion
    // alone (travel-cost lists; with the time-window lists +0.64 / +0.77 %; README, issue 20).
    if (soft_search) {
      // Soft capacities (soft_capacity.h): the new jobs go to their cheapest places with the raised
      // capacities; the search prices the load above the real ones.
      Sisr raised_builder(raised, neighbors, assignable, options.seed, options.verify_fast_path);
      plan_only = start;
      start.refreshAll(raised);
      raised_builder.recreate(start, all);
    } else {
      if (warm) insertSoftly(p, start, neighbors, focus, began + (deadline - began) * 0.1, options.verify_fast_path);
      builder.recreate(start, all);
    }
    if (warm && !soft_search) {
      // The plan's routes near a new job are often full (capacity): the greedy insertion then opens
      // a route for it alone, six to eight of them for 50 new jobs in a 1,000-job plan.
      Inserter inserter(p, &neighbors, options.verify_fast_path);
      Rng rng(options.seed);
      ejectIntoNearbyRoutes(p, start, neighbors, inserter, rng, seeded, began + (deadline - began) * 0.1);
    }
    // With soft capacities the first plan within the real capacities comes after the search, which
    // also mends the routes the new jobs went to.
    if (!soft_search) result.seconds_first_solution = now();
    if (warm && !soft_search) {
      // The rest of the plan was already searched: only the routes that took new tasks.
      std::vector<uint8_t> changed(T, 0);
      for (uint32_t v = 0; v < p.vehicleCount(); ++v)
        if (start.routes[v] != seeded.routes[v])
          for (uint32_t t : start.routes[v]) changed[t] = 1;
      localSearch(p, start, neighbors, began + (deadline - began) * 0.2, &changed, nullptr, options.verify_fast_path);
    } else if (!warm) {
      localSearch(p, start, neighbors, began + (deadline - began) * 0.2, nullptr, nullptr, options.verify_fast_path);
    }
  }

  // Vehicles with a fixed cost (a hierarchical objective): fewer routes first, one fleet
  // minimisation per thread for at most half the budget (less when it stops making progress).
  if (!warm && hasFixedCosts(p)) {
    const bool by_time = options.max_iterations == UINT64_MAX;
    const double fleet_deadline = by_time ? began + (deadline - began) * 0.5 : std::numeric_limits<double>::infinity();
    const uint64_t patience = std::min(std::max<uint64_t>(5000, uint64_t(T) * 50), options.max_iterations);
    std::vector<Solution> fewer(threads);
    std::vector<FleetMinStats> fleet_stats(threads);
    parallelFor(threads, threads, [&](uint64_t i, unsigned) {
      const ScopedSearchClock thread_clock(clock_threads);
      fewer[i] = minimiseFleet(p, neighbors, assignable, start, options.seed * 104729 + i, fleet_deadline, patience, options.cancel, fleet_stats[i],
                               options.verify_fast_path);
      // At the fleet's minimum the distance search keeps the structure the fleet minimisation left
      // (lc109 at 9 routes: 61 % of its iterations need a tenth route; three seeds end 1,000.60 to
      // 1,122.99 by their plan; README, issue 20), so the time left before the fleet minimisation's
      // deadline goes to more plans: each (the first included) gets a local search and a short SISR
      // (8 % of the budget), then a new fleet minimisation starts from the first solution with
      // another seed; the best by the objective is kept. By time only (an iteration cap stays
      // machine-independent).
      if (by_time) {
        const double slice = (deadline - began) * 0.08;
        auto polish = [&](Solution& c, uint64_t seed) {
          const double until = std::min(searchNow() + slice, fleet_deadline);
          localSearch(p, c, neighbors, until, nullptr, nullptr, options.verify_fast_path);
          Sisr polisher(p, neighbors, assignable, seed, options.verify_fast_path);
          SisrOptions so;
          so.deadline_s = until;
          so.cancel = options.cancel;
          setEarlyStop(so, options, T);
          SearchStats polish_stats;
          c = polisher.run(c, so, polish_stats, [](const Solution&) {});
        };
        polish(fewer[i], options.seed * 7 + i);
        // Without run_to_time_limit the restarts stop once kRestartsToConverge in a row found no
        // better plan (converged: a small problem answers at once instead of spending half its budget).
        static constexpr uint32_t kRestartsToConverge = 3;
        uint32_t fruitless = 0;
        for (uint64_t r = 1; searchNow() + slice < fleet_deadline && !(options.cancel && options.cancel->load() != 0) &&
                             (options.run_to_time_limit || fruitless < kRestartsToConverge);
             ++r) {
          FleetMinStats restart_stats;
          Solution c = minimiseFleet(p, neighbors, assignable, start, options.seed * 104729 + i + 1000 * r, fleet_deadline, patience, options.cancel,
                                     restart_stats, options.verify_fast_path);
          polish(c, options.seed * 7 + i + 1000 * r);
          fleet_stats[i].iterations += restart_stats.iterations;
          ++fleet_stats[i].restarts;
          if (c.objective() < fewer[i].objective()) {
            fewer[i] = std::move(c);
            fruitless = 0;
          } else {
            ++fruitless;
          }
        }
      }
    }, 1);
    // By the objective: with a small fixed cost one route fewer may not pay for its detours.
    for (const Solution& s : fewer)
      if (s.objective() < start.objective()) start = s;
    for (const FleetMinStats& f : fleet_stats) result.fleet_restarts += f.restarts;
    localSearch(p, start, neighbors, by_time ? began + (deadline - began) * 0.55 : searchNow() + 3600, nullptr, nullptr, options.verify_fast_path);
  }

  // Independent searches, one per thread, each with its own seed and temperature; a short local
  // search on the winner at the end.
  const double search_deadline = began + (deadline - began) * 0.98;
  std::vector<Solution> bests(threads);
  std::vector<SearchStats> stats(threads);
  std::vector<std::thread> pool;
  std::mutex progress_mutex;
  // With soft capacities the start is over capacity (and cheaper than any plan within it).
  int64_t best_objective = soft_search ? std::numeric_limits<int64_t>::max() : start.objective();
  auto publish = [&](const Solution& s) {
    if (!options.progress) return;
    std::lock_guard<std::mutex> lock(progress_mutex);
    if (s.objective() > best_objective) return;
    best_objective = s.objective();
    options.progress[0] = double(s.objective());
    options.progress[2] += 1;
    options.progress[3] = now();
    options.progress[4] = double(s.cost);
  };
  if (!soft_search) publish(start);
  // The threads meet ten times: a thread behind the best so far continues from it.
  std::mutex exchange_mutex;
  Solution shared_best = start;
  auto exchange = [&](Solution& best) {
    std::lock_guard<std::mutex> lock(exchange_mutex);
    if (best.objective() < shared_best.objective()) {
      shared_best = best;
      return false;
    }
    if (shared_best.objective() < best.objective()) {
      best = shared_best;
      return true;
    }
    return false;
  };
  auto searchThread = [&](unsigned i) {
    {
      const ScopedSearchClock thread_clock(clock_threads);
      SisrOptions so;
      so.deadline_s = search_deadline;
      so.max_iterations = options.max_iterations;
      so.cancel = options.cancel;
      setEarlyStop(so, options, T);
      // A portfolio of annealing temperatures: tight clustered instances want a hotter start,
      // large CVRPs a cooler one; the best thread wins.
      static constexpr double kTemperatures[] = {1.0, 5.0, 2.0, 0.5};
      so.temperature_factor = kTemperatures[i % 4];
      if (options.max_iterations == UINT64_MAX && threads > 1) {
        so.exchange = exchange;
        so.exchange_every_s = (search_deadline - searchNow()) / 10;
      }
      const bool genetic = search_kind == SearchKind::kHgs || (search_kind == SearchKind::kPortfolio && i % 2 == 1);
      if (genetic) {
        Hgs search(p, neighbors, assignable, options.seed * 7919 + i, options.verify_fast_path);
        HgsOptions ho;
        ho.limits = so;
        // The penalised local-search education only when HGS alone is asked for: in the portfolio it
        // measured no better on CVRPLIB X (5 s and 30 s) and took 1.5-2x the CPU to converge on
        // Solomon (README, "Hybrid genetic search").
        ho.penalised_education = search_kind == SearchKind::kHgs;
        bests[i] = search.run(start, ho, stats[i], [&](const Solution& best) { publish(best); });
      } else {
        Sisr search(p, wide, assignable, options.seed * 7919 + i, options.verify_fast_path);
        bests[i] = search.run(start, so, stats[i], [&](const Solution& best) { publish(best); });
      }
    }
  };
  // A search's exception (the self-checks of verify_fast_path throw Internal) ends its thread and
  // is rethrown after the join, so that it becomes a JS error rather than std::terminate.
  std::vector<std::exception_ptr> failures(threads);
  if (warm) {
    // A warm start: one plan, each thread annealing its own group of routes (region_search.h), hot
    // (twice an average arc at first). bench replan, six plans x 6 replans on two threads: +1.62 %
    // above from scratch with independent cool searches, +1.02 % by groups; on one thread (one
    // group, a restart from the best after each phase) +1.76 % cool, +1.32 % so (README, issue 20).
    // Where a replan adds orders the plan's routes are nearly full (bench replan: 97 % of the vans'
    // capacity), so an insertion that looks only at the routes of a task's 40 nearest tasks seldom
    // finds room. The region search looks at the routes of the nearest 80: a fifth fewer iterations,
    // better replans (two threads, six plans x 2 replans: +1.57 % with 40, +0.83 / +0.90 % with 80,
    // +0.81 / +1.02 % with 100, +0.88 % with 150; README, issue 20).
    RegionSearchOptions ro;
    ro.threads = threads;
    ro.deadline_s = search_deadline;
    ro.max_iterations = options.max_iterations;
    SisrOptions early;
    setEarlyStop(early, options, T);
    ro.schedule_iterations = early.schedule_iterations;
    ro.converge_after = early.converge_after;
    ro.temperature_factor = 2.0;
    ro.focus = &focus;
    ro.cancel = options.cancel;
    ro.clock_threads = clock_threads;
    ro.seed = options.seed;
    ro.verify = options.verify_fast_path;
    ro.on_best = publish;
    if (soft_search) {
      const double arc = averageArcCost(p, start);
      ro.soft_capacity = &p.capacity;
      ro.first_weight = excessWeights(p, arc, kSoftCapacityFirstWeight);
      ro.last_weight = excessWeights(p, arc, kSoftCapacityLastWeight);
    }
    Solution found = regionSearch(soft_search ? raised : p, wide, assignable, start, ro, stats);
    if (soft_search) {
      // Routes still over capacity give up jobs to the greedy insertion, which may open vans. The
      // start, when it was within capacity (no new jobs, or room for them), is kept if better.
      std::vector<uint32_t> unloaded = unloadOverfullRoutes(p, p.capacity, found);
      found.refreshAll(p);
      Sisr mender(p, neighbors, assignable, options.seed + 1, options.verify_fast_path);
      mender.recreate(found, unloaded);
      if (withinCapacity(p, p.capacity, start)) {
        start.refreshAll(p);
        if (start.objective() < found.objective()) found = start;
      }
      // Where the mend left a task out (no van left to open), the plan with the greedy insertion of
      // the new tasks under the real capacities competes, as the old warm start would have.
      bool left_out = false;
      for (uint32_t t = 0; t < T && !left_out; ++t) left_out = assignable[t] && p.kind[t] != TaskKind::kDelivery && found.route_of[t] == kNone;
      if (left_out) {
        Solution greedy = plan_only;
        std::vector<uint32_t> all = insertableTasks(p, assignable);
        mender.recreate(greedy, all);
        if (greedy.objective() < found.objective()) found = std::move(greedy);
      }
      result.seconds_first_solution = now();
      publish(found);
    }
    for (unsigned i = 0; i < threads; ++i) bests[i] = found;
  } else {
    for (unsigned i = 0; i < threads; ++i)
      pool.emplace_back([&, i] {
        try {
          searchThread(i);
        } catch (...) {
          failures[i] = std::current_exception();
        }
      });
  }
  for (auto& th : pool) th.join();
  for (const auto& failure : failures)
    if (failure) std::rethrow_exception(failure);
  unsigned winner = 0;
  for (unsigned i = 1; i < threads; ++i)
    if (bests[i].objective() < bests[winner].objective()) winner = i;
  result.best = std::move(bests[winner]);
  const bool cancelled = options.cancel && options.cancel->load() != 0;
  localSearch(p, result.best, neighbors, cancelled ? searchNow() + 0.2 : options.max_iterations != UINT64_MAX ? searchNow() + 3600 : deadline, nullptr,
              nullptr, options.verify_fast_path);
  bool all_converged = true, all_capped = true;
  for (const auto& s : stats) {
    result.iterations += s.iterations;
    result.improvements += s.improvements;
    all_converged = all_converged && s.converged;
    all_capped = all_capped && s.iterations >= options.max_iterations;
  }
  result.stop_reason = cancelled ? StopReason::kCancelled
                       : all_converged ? StopReason::kConverged
                       : all_capped    ? StopReason::kIterations
                                       : StopReason::kTimeLimit;
  if (options.progress) {
    options.progress[0] = double(result.best.objective());
    options.progress[1] = double(result.iterations);
    options.progress[3] = now();
    options.progress[4] = double(result.best.cost);
  }
  result.seconds_total = now();
  return result;
}

}  // namespace waymark::vrp
