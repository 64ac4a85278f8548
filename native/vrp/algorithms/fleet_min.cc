#include "vrp/algorithms/fleet_min.h"

#include <algorithm>
#include <cmath>

#include "vrp/algorithms/clock.h"
#include "vrp/algorithms/insertion.h"

namespace waymark::vrp {

bool hasFixedCosts(const Problem& p) {
  return std::any_of(p.fixed_cost.begin(), p.fixed_cost.end(), [](int64_t c) { return c > 0; });
}

namespace {

class FleetMin {
 public:
  FleetMin(const Problem& p, const Neighbors& nb, const std::vector<uint8_t>& assignable, uint64_t seed, bool verify)
      : p_(p), nb_(nb), assignable_(assignable), rng_(seed), inserter_(p, &nb, verify), absence_(p.taskCount(), 0) {}

  // Takes task t (and its partner) out of its route; the pool holds jobs and pickups.
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

  // SISR's string removal around a seed task (a pooled task half of the time: the ruin then makes
  // room where it is needed).
  void ruin(Solution& s, const std::vector<uint32_t>& pool, std::vector<uint32_t>& removed) {
    std::uniform_real_distribution<double> u(0.0, 1.0);
    uint32_t used = 0, total = 0;
    for (const auto& r : s.routes)
      if (!r.empty()) ++used, total += uint32_t(r.size());
    if (used == 0) return;
    const double ls_max = std::min(10.0, double(total) / used);
    const double ks_max = 4.0 * 10.0 / (1.0 + ls_max) - 1.0;
    const uint32_t ks = uint32_t(std::floor(u(rng_) * ks_max)) + 1;
    uint32_t seed = pool[std::uniform_int_distribution<size_t>(0, pool.size() - 1)(rng_)];
    if (u(rng_) < 0.5) {
      std::uniform_int_distribution<uint32_t> any(0, p_.taskCount() - 1);
      for (int tries = 0; tries < 64; ++tries) {
        const uint32_t t = any(rng_);
        if (s.route_of[t] != kNone) {
          seed = t;
          break;
        }
      }
    }
    std::vector<uint32_t> routes_done, touched;
    std::vector<uint32_t> order{seed};
    order.insert(order.end(), nb_.of(seed), nb_.of(seed) + nb_.k);
    for (uint32_t c : order) {
      if (routes_done.size() >= ks) break;
      const int32_t v = s.route_of[c];
      if (v == kNone || std::find(routes_done.begin(), routes_done.end(), uint32_t(v)) != routes_done.end()) continue;
      const auto& route = s.routes[v];
      const uint32_t len = uint32_t(std::floor(u(rng_) * std::min(double(route.size()), ls_max))) + 1;
      const int64_t pos = std::find(route.begin(), route.end(), c) - route.begin();
      const int64_t lo = std::max<int64_t>(0, pos - len + 1), hi = std::min<int64_t>(pos, int64_t(route.size()) - len);
      const int64_t begin = lo + int64_t(std::floor(u(rng_) * double(hi - lo + 1)));
      const std::vector<uint32_t> string(route.begin() + begin, route.begin() + begin + len);
      for (uint32_t t : string) remove(s, t, removed, touched);
      routes_done.push_back(uint32_t(v));
    }
    for (uint32_t v : touched) s.refresh(p_, v);
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
        ruin(trial, pool, removed);
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

 private:
  const Problem& p_;
  const Neighbors& nb_;
  const std::vector<uint8_t>& assignable_;
  Rng rng_;
  Inserter inserter_;
  std::vector<uint64_t> absence_;
};

}  // namespace

Solution minimiseFleet(const Problem& p, const Neighbors& nb, const std::vector<uint8_t>& assignable, const Solution& start, uint64_t seed,
                       double deadline_s, uint64_t patience, const std::atomic<int32_t>* cancel, FleetMinStats& stats, bool verify) {
  FleetMin search(p, nb, assignable, seed, verify);
  return search.run(start, deadline_s, patience, cancel, stats);
}

}  // namespace waymark::vrp
