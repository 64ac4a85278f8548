#include "vrp/algorithms/fleet_min.h"

#include <algorithm>
#include <cmath>

#include "vrp/algorithms/clock.h"
#include "vrp/algorithms/insertion.h"
#include "vrp/algorithms/sisr.h"

namespace waymark::vrp {

bool hasFixedCosts(const Problem& p) {
  return std::any_of(p.fixed_cost.begin(), p.fixed_cost.end(), [](int64_t c) { return c > 0; });
}

namespace {

class FleetMin {
 public:
  FleetMin(const Problem& p, const Neighbors& nb, const std::vector<uint8_t>& assignable, uint64_t seed, bool verify)
      : p_(p), assignable_(assignable), rng_(seed), inserter_(p, &nb, verify), sisr_(p, nb, assignable, seed ^ 0x9e3779b97f4a7c15ULL, verify),
        absence_(p.taskCount(), 0) {
    // Whole strings only, as this search always ruined: with split strings, Li & Lim reached the
    // same vehicle counts and distances within the seeds' spread (lc109 at 30 s a little worse;
    // README, issue 20), and without them a seed's answers differ from before only by the random
    // numbers.
    SisrOptions ruin;
    ruin.split_rate = 0;
    sisr_.setRuinOptions(ruin);
  }

  // Takes task t (and its partner) out of its route; the pool holds jobs and pickups (emptying the
  // smallest route; the ruins are SISR's).
  void remove(Solution& s, uint32_t t, std::vector<uint32_t>& pool, std::vector<uint32_t>& touched) {
    const int32_t v = s.route_of[t];
    if (v == kNone) return;
    auto& route = s.routes[v];
    for (uint32_t x : {t, p_.partner[t] != kNone ? uint32_t(p_.partner[t]) : t}) {
      if (s.route_of[x] == kNone) continue;
      route.erase(std::find(route.begin(), route.end(), x));
      s.route_of[x] = kNone;
      s.penalty += Solution::penaltyOf(p_, x);
      if (p_.kind[x] != TaskKind::kDelivery) pool.push_back(x);
    }
    if (std::find(touched.begin(), touched.end(), uint32_t(v)) == touched.end()) touched.push_back(uint32_t(v));
  }

  // Inserts what it can of `tasks` into the routes in use (never opening one); `rest` gets the
  // others. Stops (false) as soon as the rest can no longer beat `pool`: it only grows, and a
  // failed insertion is the dearest kind (every place tried), most of an iteration's time on long
  // routes.
  bool recreate(Solution& s, std::vector<uint32_t>& tasks, std::vector<uint32_t>& rest, const std::vector<uint32_t>& pool) {
    std::shuffle(tasks.begin(), tasks.end(), rng_);
    std::stable_sort(tasks.begin(), tasks.end(), [&](uint32_t a, uint32_t b) { return absence_[a] > absence_[b]; });
    rest.clear();
    const uint64_t pool_absence = absenceSum(pool);
    uint64_t rest_absence = 0;
    for (uint32_t t : tasks) {
      if (!assignable_[t]) continue;
      const Insertion ins = inserter_.best(s, t, rng_, 0.01);
      if (!ins.found || s.routes[ins.vehicle].empty()) {
        rest.push_back(t);
        rest_absence += absence_[t];
        if (rest.size() > pool.size() || (rest.size() == pool.size() && rest_absence >= pool_absence)) return false;
        continue;
      }
      inserter_.apply(s, t, ins);
    }
    return true;
  }

  uint64_t absenceSum(const std::vector<uint32_t>& pool) const {
    uint64_t sum = 0;
    for (uint32_t t : pool) sum += absence_[t];
    return sum;
  }

  Solution run(const Solution& start, double deadline_s, uint64_t patience, const std::atomic<int32_t>* cancel, FleetMinStats& stats) {
    Solution best = search(start, deadline_s, patience, cancel, stats);
    sisr_.verifyRuinCounts();
    return best;
  }

 private:
  Solution search(const Solution& start, double deadline_s, uint64_t patience, const std::atomic<int32_t>* cancel, FleetMinStats& stats) {
    Solution best = start;
    for (;;) {
      // The smallest route in use (ties at random) goes into the pool.
      int32_t smallest = kNone;
      uint32_t used = 0;
      for (uint32_t v = 0; v < p_.vehicleCount(); ++v) {
        if (best.routes[v].empty()) continue;
        ++used;
        for (uint32_t t : best.routes[v])
          if (p_.pinned(t)) goto next_vehicle;  // a vehicle with pinned steps keeps its route
        if (smallest == kNone || best.routes[v].size() < best.routes[smallest].size() ||
            (best.routes[v].size() == best.routes[smallest].size() && (rng_() & 1)))
          smallest = int32_t(v);
      next_vehicle:;
      }
      if (smallest == kNone || used < 2) return best;
      Solution current = best;
      std::vector<uint32_t> pool, touched, removed, rest, tasks;
      for (uint32_t t : std::vector<uint32_t>(current.routes[smallest])) remove(current, t, pool, touched);
      current.refresh(p_, uint32_t(smallest));
      size_t fewest = pool.size();
      uint64_t since = 0;
      while (!pool.empty()) {
        if ((stats.iterations & 7) == 0 && searchNow() >= deadline_s) return best;
        if (cancel && cancel->load(std::memory_order_relaxed) != 0) return best;
        if (since >= patience) return best;
        ++stats.iterations;
        ++since;
        Solution trial = current;
        removed.clear();
        // SISR's ruin, seeded half of the time at a pooled task (it then makes room where one is needed).
        sisr_.ruin(trial, removed, RuinSeeds{&pool, 0.5, true});
        tasks = pool;
        tasks.insert(tasks.end(), removed.begin(), removed.end());
        if (recreate(trial, tasks, rest, pool)) {
          current = std::move(trial);
          pool = rest;
          if (pool.size() < fewest) fewest = pool.size(), since = 0;
        }
        for (uint32_t t : pool) ++absence_[t];
      }
      best = std::move(current);
      ++stats.routes_removed;
    }
  }

  const Problem& p_;
  const std::vector<uint8_t>& assignable_;
  Rng rng_;
  Inserter inserter_;
  Sisr sisr_;  // the ruin, with its own random numbers
  std::vector<uint64_t> absence_;
};

}  // namespace

Solution minimiseFleet(const Problem& p, const Neighbors& nb, const std::vector<uint8_t>& assignable, const Solution& start, uint64_t seed,
                       double deadline_s, uint64_t patience, const std::atomic<int32_t>* cancel, FleetMinStats& stats, bool verify) {
  FleetMin search(p, nb, assignable, seed, verify);
  return search.run(start, deadline_s, patience, cancel, stats);
}

}  // namespace waymark::vrp
