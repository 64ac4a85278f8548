#include "vrp/algorithms/solver.h"

#include <chrono>
#include <mutex>
#include <thread>

#include "common/parallel.h"
#include "vrp/algorithms/local_search.h"

namespace waymark::vrp {

namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

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

}  // namespace

SolveResult solve(const Problem& p, const SolveOptions& options) {
  p.validate();
  const double began = now();
  const double deadline = began + std::max(0.0, options.time_limit_s);
  const unsigned threads = options.threads ? options.threads : defaultThreadCount();
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
  const Neighbors neighbors(p, 40);

  // First solution: greedy insertion, then local search (bounded by a fifth of the budget).
  Solution start(p);
  if (options.initial_routes) seedRoutes(p, *options.initial_routes, start);
  {
    Sisr builder(p, neighbors, assignable, options.seed, options.verify_fast_path);
    std::vector<uint32_t> all;
    for (uint32_t t = 0; t < T; ++t)
      if (assignable[t] && p.kind[t] != TaskKind::kDelivery) all.push_back(t);
    builder.recreate(start, all);
    result.seconds_first_solution = now() - began;
    localSearch(p, start, neighbors, began + (deadline - began) * 0.2);
  }

  // Independent searches, one per thread, each with its own seed and temperature; a short local
  // search on the winner at the end.
  const double search_deadline = began + (deadline - began) * 0.98;
  std::vector<Solution> bests(threads);
  std::vector<SearchStats> stats(threads);
  std::vector<std::thread> pool;
  std::mutex progress_mutex;
  int64_t best_objective = start.objective();
  auto publish = [&](const Solution& s) {
    if (!options.progress) return;
    std::lock_guard<std::mutex> lock(progress_mutex);
    if (s.objective() > best_objective) return;
    best_objective = s.objective();
    options.progress[0] = double(s.objective());
    options.progress[2] += 1;
    options.progress[3] = now() - began;
    options.progress[4] = double(s.cost);
  };
  publish(start);
  for (unsigned i = 0; i < threads; ++i) {
    pool.emplace_back([&, i] {
      Sisr search(p, neighbors, assignable, options.seed * 7919 + i, options.verify_fast_path);
      SisrOptions so;
      so.deadline_s = search_deadline;
      so.max_iterations = options.max_iterations;
      so.cancel = options.cancel;
      // A portfolio of annealing temperatures: tight clustered instances want a hotter start,
      // large CVRPs a cooler one; the best thread wins.
      static constexpr double kTemperatures[] = {1.0, 5.0, 2.0, 0.5};
      so.temperature_factor = kTemperatures[i % 4];
      bests[i] = search.run(start, so, stats[i], [&](const Solution& best) { publish(best); });
    });
  }
  for (auto& th : pool) th.join();
  unsigned winner = 0;
  for (unsigned i = 1; i < threads; ++i)
    if (bests[i].objective() < bests[winner].objective()) winner = i;
  result.best = std::move(bests[winner]);
  const bool cancelled = options.cancel && options.cancel->load() != 0;
  localSearch(p, result.best, neighbors, cancelled ? now() + 0.2 : options.max_iterations != UINT64_MAX ? now() + 3600 : deadline);
  for (const auto& s : stats) {
    result.iterations += s.iterations;
    result.improvements += s.improvements;
  }
  if (options.progress) {
    options.progress[0] = double(result.best.objective());
    options.progress[1] = double(result.iterations);
    options.progress[3] = now() - began;
    options.progress[4] = double(result.best.cost);
  }
  result.seconds_total = now() - began;
  return result;
}

}  // namespace waymark::vrp
