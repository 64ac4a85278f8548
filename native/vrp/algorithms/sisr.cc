#include "vrp/algorithms/sisr.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "common/error.h"
#include "vrp/algorithms/clock.h"
#include "vrp/algorithms/local_search.h"

namespace waymark::vrp {

double averageArcCost(const Problem& p, const Solution& s) {
  uint32_t arcs = 0;
  int64_t travel = s.cost;
  for (uint32_t v = 0; v < s.routes.size(); ++v)
    if (!s.routes[v].empty()) arcs += static_cast<uint32_t>(s.routes[v].size()) + 1, travel -= p.fixed_cost[v];
  return arcs ? std::max(1.0, double(travel) / arcs) : 1.0;
}

Sisr::Sisr(const Problem& p, const Neighbors& nb, const std::vector<uint8_t>& assignable, uint64_t seed, bool verify_fast_path)
    : verify_(verify_fast_path), p_(p), nb_(nb), assignable_(assignable), rng_(seed), inserter_(p, &nb, verify_fast_path) {
  far_.assign(p.taskCount(), 0);
  in_removed_.assign(p.taskCount(), 0);
  route_saved_.assign(p.vehicleCount(), 0);
  removal_state_.assign(p.vehicleCount(), 0);
  removal_totals_.resize(p.vehicleCount());
  for (uint32_t t = 0; t < p.taskCount(); ++t)
    if (!assignable[t]) unplaceable_penalty_ += Solution::penaltyOf(p, t);
  const int32_t depot = p.vehicleCount() > 0 ? (p.start[0] != kNone ? p.start[0] : p.end[0]) : kNone;
  if (depot != kNone)
    for (uint32_t t = 0; t < p.taskCount(); ++t) far_[t] = double(p.types[0].travelCost(depot, p.location[t]));
}

void Sisr::beginJournal(const Solution& s) {
  for (size_t i = 0; i < saved_count_; ++i) route_saved_[saved_[i].vehicle] = 0;
  saved_count_ = 0;
  saved_cost_ = s.cost;
  saved_penalty_ = s.penalty;
  saved_excess_load_ = s.excess_load;
  saved_time_warp_ = s.time_warp;
  journaling_ = true;
}

void Sisr::save(const Solution& s, uint32_t v) {
  if (!journaling_ || route_saved_[v]) return;
  route_saved_[v] = 1;
  if (saved_count_ == saved_.size()) saved_.emplace_back();
  SavedRoute& r = saved_[saved_count_++];
  r.vehicle = v;
  r.route.assign(s.routes[v].begin(), s.routes[v].end());
  r.totals = s.totals[v];
  r.version = s.version[v];
  // A refused iteration puts this version back: its insertion data is kept, not rebuilt.
  inserter_.keep(v, r.version);
}

void Sisr::undo(Solution& s) {
  for (size_t i = 0; i < saved_count_; ++i)
    for (uint32_t t : s.routes[saved_[i].vehicle]) s.route_of[t] = kNone;
  for (size_t i = 0; i < saved_count_; ++i) {
    SavedRoute& r = saved_[i];
    s.routes[r.vehicle].swap(r.route);
    s.totals[r.vehicle] = r.totals;
    s.version[r.vehicle] = r.version;
    for (uint32_t t : s.routes[r.vehicle]) s.route_of[t] = static_cast<int32_t>(r.vehicle);
  }
  s.cost = saved_cost_;
  s.penalty = saved_penalty_;
  s.excess_load = saved_excess_load_;
  s.time_warp = saved_time_warp_;
}

void Sisr::removeTask(Solution& s, uint32_t t, std::vector<uint32_t>& removed) {
  const int32_t v = s.route_of[t];
  if (v == kNone) return;
  save(s, static_cast<uint32_t>(v));
  auto& route = s.routes[v];
  const auto at = std::find(route.begin(), route.end(), t);
  uint8_t& state = removal_state_[v];
  if (state == 0) {
    state = inserter_.incrementalTotals(s, uint32_t(v)) ? 1 : inserter_.timedTotals(s, uint32_t(v)) ? 3 : 2;
    removal_totals_[v] = s.totals[v];
  }
  if (state != 2 && p_.partner[t] != kNone) state = 2;
  if (state != 2) inserter_.removeFromTotals(s, uint32_t(v), uint32_t(at - route.begin()), removal_totals_[v]);
  route.erase(at);
  s.route_of[t] = kNone;
  s.penalty += Solution::penaltyOf(p_, t);
  // Shipments travel as pairs: the recreate step inserts them through their pickup.
  if (p_.kind[t] != TaskKind::kDelivery) removed.push_back(t);
  if (p_.partner[t] != kNone) {
    const uint32_t other = static_cast<uint32_t>(p_.partner[t]);
    if (s.route_of[other] != kNone) {
      route.erase(std::find(route.begin(), route.end(), other));
      s.route_of[other] = kNone;
      s.penalty += Solution::penaltyOf(p_, other);
      if (p_.kind[other] != TaskKind::kDelivery) removed.push_back(other);
    }
  }
}

void Sisr::ruin(Solution& s, std::vector<uint32_t>& removed, const RuinSeeds& seeds) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  uint32_t used = 0, total = 0;
  for (const auto& r : s.routes)
    if (!r.empty()) ++used, total += static_cast<uint32_t>(r.size());
  if (used == 0) return;
  const double ls_max = std::min(options_.max_string, double(total) / used);
  const double ks_max = 4.0 * options_.average_removed / (1.0 + ls_max) - 1.0;
  const uint32_t ks = static_cast<uint32_t>(std::floor(u(rng_) * ks_max)) + 1;
  // Seed: a random assigned task (by rejection: nearly every task is assigned, and a scan of all
  // tasks per iteration would make iterations linear in the size).
  std::uniform_int_distribution<uint32_t> any_task(0, p_.taskCount() - 1);
  uint32_t seed = any_task(rng_);
  bool anchored = false;
  if (seeds.tasks && !seeds.tasks->empty() && u(rng_) < seeds.share) {
    const uint32_t f = (*seeds.tasks)[std::uniform_int_distribution<size_t>(0, seeds.tasks->size() - 1)(rng_)];
    if (seeds.anchor_unassigned || s.route_of[f] != kNone) seed = f, anchored = true;
  }
  if (anchored && s.route_of[seed] != kNone && !owned(s.route_of[seed])) anchored = false;
  if (seeds.anchor_unassigned && seeds.tasks && !seeds.tasks->empty() && seeds.share >= 0.1) seed_draws_ += 1, seeded_ruins_ += anchored;
  auto usable = [&](uint32_t t) { return s.route_of[t] != kNone && owned(s.route_of[t]); };
  for (int tries = 0; !anchored && !usable(seed) && tries < 64; ++tries) seed = any_task(rng_);
  if (!anchored && !usable(seed)) {
    std::vector<uint32_t> assigned;
    for (uint32_t t = 0; t < p_.taskCount(); ++t)
      if (usable(t)) assigned.push_back(t);
    if (assigned.empty()) return;
    seed = assigned[std::uniform_int_distribution<size_t>(0, assigned.size() - 1)(rng_)];
  }
  std::vector<uint32_t>& ruined = ruined_;
  ruined.clear();
  order_.assign(1, seed);
  order_.insert(order_.end(), nb_.of(seed), nb_.of(seed) + nb_.k);
  for (uint32_t c : order_) {
    if (ruined.size() >= ks) break;
    const int32_t v = s.route_of[c];
    if (v == kNone || !owned(v) || std::find(ruined.begin(), ruined.end(), uint32_t(v)) != ruined.end()) continue;
    const auto& route = s.routes[v];
    const double lt_max = std::min(double(route.size()), ls_max);
    const uint32_t len = static_cast<uint32_t>(std::floor(u(rng_) * lt_max)) + 1;
    const int64_t pos = std::find(route.begin(), route.end(), c) - route.begin();
    // The split string: `len` tasks removed from a string of len + kept, whose `kept` consecutive
    // tasks in the middle stay (kept starts at 1 and grows while a coin of 1 - split_depth says so,
    // up to the route's size).
    uint32_t kept = 0;
    const bool splittable = len >= 2 && len < route.size();
    splittable_strings_ += splittable;
    if (splittable && u(rng_) < options_.split_rate) {
      ++split_strings_;
      kept = 1;
      while (len + kept < route.size() && u(rng_) >= options_.split_depth) ++kept;
    }
    const uint32_t span = len + kept;
    // A string of `span` consecutive tasks containing c, at a random offset.
    const int64_t lo = std::max<int64_t>(0, pos - span + 1), hi = std::min<int64_t>(pos, int64_t(route.size()) - span);
    const int64_t begin = lo + int64_t(std::floor(u(rng_) * double(hi - lo + 1)));
    // The kept tasks start 1 to len - 1 tasks into the string, so that tasks go on both sides.
    const uint32_t keep_at = kept ? 1 + static_cast<uint32_t>(std::floor(u(rng_) * double(len - 1))) : span;
    string_.clear();
    for (uint32_t i = 0; i < span; ++i)
      if (i < keep_at || i >= keep_at + kept) string_.push_back(route[size_t(begin + i)]);
    if (verify_) kept_.assign(route.begin() + begin + keep_at, route.begin() + begin + std::min(span, keep_at + kept));
    for (uint32_t t : string_) removeTask(s, t, removed);
    if (verify_) {
      // A kept task stays in its route unless it is the partner of a removed one; no shipment is
      // left half in a route.
      for (uint32_t t : kept_)
        if (s.route_of[t] != v && !(p_.partner[t] != kNone && s.route_of[p_.partner[t]] == kNone && s.route_of[t] == kNone))
          throw Error("Internal", "SISR's split string removed a task it was to keep");
      for (uint32_t t : string_)
        if (s.route_of[t] != kNone || (p_.partner[t] != kNone && s.route_of[p_.partner[t]] != kNone))
          throw Error("Internal", "SISR's string removal left a removed task's partner in a route");
    }
    ruined.push_back(static_cast<uint32_t>(v));
  }
  for (uint32_t v : ruined) {
    if (removal_state_[v] == 1) {
      s.refreshKnown(p_, v, removal_totals_[v], {}, verify_);
    } else if (removal_state_[v] == 3) {
      // Time windows: the waiting and feasibility from the route's segments, built for its new
      // version (the recreate's scans then find them current) instead of evaluating the route.
      s.renew(v);
      if (inserter_.removalTotals(s, v, removal_totals_[v])) s.refreshKnown(p_, v, removal_totals_[v], {}, verify_, true);
      else s.refresh(p_, v);
    } else {
      s.refresh(p_, v);
    }
    removal_state_[v] = 0;
  }
}

void Sisr::recreate(Solution& s, std::vector<uint32_t>& tasks) {
  // SISR's orderings: random, largest demand, farthest, closest (weights 4, 4, 2, 1).
  const uint32_t pick = std::uniform_int_distribution<uint32_t>(0, 10)(rng_);
  std::shuffle(tasks.begin(), tasks.end(), rng_);
  if (pick >= 4 && pick < 8) {
    auto demand = [&](uint32_t t) {
      int64_t d = 0;
      for (uint32_t k = 0; k < p_.dims; ++k) d += p_.delivery[size_t(t) * p_.dims + k] + p_.pickup[size_t(t) * p_.dims + k];
      return d;
    };
    std::stable_sort(tasks.begin(), tasks.end(), [&](uint32_t a, uint32_t b) { return demand(a) > demand(b); });
  } else if (pick >= 8 && pick < 10) {
    std::stable_sort(tasks.begin(), tasks.end(), [&](uint32_t a, uint32_t b) { return far_[a] > far_[b]; });
  } else if (pick == 10) {
    std::stable_sort(tasks.begin(), tasks.end(), [&](uint32_t a, uint32_t b) { return far_[a] < far_[b]; });
  }
  // Higher priority first, whatever the ordering.
  std::stable_sort(tasks.begin(), tasks.end(), [&](uint32_t a, uint32_t b) { return p_.priority[a] > p_.priority[b]; });
  for (size_t k = 0; k < tasks.size(); ++k) {
    const uint32_t t = tasks[k];
    if (k + 1 < tasks.size()) inserter_.prefetch(tasks[k + 1]);
    if (!assignable_[t] || s.route_of[t] != kNone) continue;
    const Insertion ins = inserter_.best(s, t, rng_, options_.blink);
    if (!ins.found) continue;
    save(s, ins.vehicle);
    inserter_.apply(s, t, ins);
  }
}

Solution Sisr::run(Solution start, const SisrOptions& options, SearchStats& stats, const std::function<void(const Solution&)>& on_best) {
  options_ = options;
  inserter_.restrictTo(options.vehicles);
  const bool soft = options_.soft.active();
  inserter_.softCapacity(soft ? &options_.soft : nullptr);
  // Soft capacities: the current, next and best solutions' units above capacity per dimension
  // (exact), and their prices.
  std::vector<int64_t> units(p_.dims, 0), next_units(p_.dims, 0), best_units;
  if (soft)
    for (uint32_t v = 0; v < start.routes.size(); ++v) options_.soft.addExcess(p_, v, start.routes[v], units.data());
  best_units = units;
  double excess = soft ? options_.soft.price(units.data()) : 0, best_excess = excess;
  Solution current = start, best = start;
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const double arc = options_.arc_cost > 0 ? options_.arc_cost : averageArcCost(p_, start);
  const double t0 = arc * options_.temperature_factor, tf = t0 / 100.0;
  const double began = searchNow();
  const double span = std::max(1e-3, options.deadline_s - began);
  std::vector<uint32_t> removed;
  uint64_t last_improvement = stats.iterations;
  double next_exchange = options.exchange && options.exchange_every_s > 0 ? began + options.exchange_every_s : options.deadline_s;
  // The clock is read every 8 iterations: a CPU-time reading is a system call, a few per cent of an
  // iteration at n = 1000.
  double t = began;
  for (uint64_t k = 0; stats.iterations < options.max_iterations; ++k) {
    if ((k & 7) == 0) t = searchNow();
    if (t >= options.deadline_s) break;
    if (t >= next_exchange) {
      next_exchange = t + options.exchange_every_s;
      if (options.exchange(best)) current = best, units = best_units, excess = best_excess;
    }
    if (options.cancel && options.cancel->load(std::memory_order_relaxed) != 0) break;
    double progress = options.max_iterations != UINT64_MAX ? double(stats.iterations) / double(options.max_iterations)
                                                            : (t - began) / span;
    if (options.schedule_iterations != UINT64_MAX) progress = std::max(progress, double(stats.iterations) / double(options.schedule_iterations));
    if (progress >= 1 && stats.iterations - last_improvement >= options.converge_after) {
      stats.converged = true;
      break;
    }
    const double schedule = options.progress_from + (options.progress_to - options.progress_from) * std::min(1.0, progress);
    const double temperature = t0 * std::pow(tf / t0, schedule);
    ++stats.iterations;
    Solution& next = current;  // in place, undone when refused
    const int64_t current_objective = current.objective();
    beginJournal(current);
    removed.clear();
    ruin(next, removed, RuinSeeds{options_.focus, options_.focus_share, false});
    // Tasks still unassigned from before get another chance each time (there are none when
    // everything could be placed; next.penalty says so without a scan).
    int64_t expected_penalty = unplaceable_penalty_;
    for (uint32_t t : removed) expected_penalty += Solution::penaltyOf(p_, t) + (p_.partner[t] != kNone ? Solution::penaltyOf(p_, p_.partner[t]) : 0);
    if (next.penalty != expected_penalty) {
      for (uint32_t t : removed) in_removed_[t] = 1;
      for (uint32_t t2 = 0; t2 < p_.taskCount(); ++t2)
        if (next.route_of[t2] == kNone && assignable_[t2] && p_.kind[t2] != TaskKind::kDelivery && !in_removed_[t2]) removed.push_back(t2);
      for (uint32_t t : removed) in_removed_[t] = 0;
    }
    recreate(next, removed);
    journaling_ = false;
    double next_excess = excess;
    if (soft) {
      next_units = units;
      for (size_t i = 0; i < saved_count_; ++i) {
        const uint32_t v = saved_[i].vehicle;
        options_.soft.addExcess(p_, v, next.routes[v], next_units.data());
        options_.soft.addExcess(p_, v, saved_[i].route, next_units.data(), -1);
      }
      next_excess = options_.soft.price(next_units.data());
    }
    if (double(next.objective()) + next_excess < double(current_objective) + excess - temperature * std::log(u(rng_))) {
      excess = next_excess;
      if (soft) units.swap(next_units);
      if (soft ? double(current.objective()) + excess < double(best.objective()) + best_excess : current.objective() < best.objective()) {
        best = current;
        best_excess = excess;
        if (soft) best_units = units;
        ++stats.improvements;
        last_improvement = stats.iterations;
        on_best(best);
      }
    } else {
      undo(current);
      if (verify_) {
        // The undone solution must be the one before the iteration, consistent with its routes.
        Solution check = current;
        check.refreshAll(p_);
        if (current.objective() != current_objective || check.cost != current.cost || check.penalty != current.penalty ||
            check.route_of != current.route_of || check.excess_load != current.excess_load || check.time_warp != current.time_warp)
          throw Error("Internal", "SISR's undo of a refused iteration left an inconsistent solution");
      }
    }
  }
  if (soft && verify_) {
    // The units above capacity followed iteration by iteration must be the current solution's.
    std::vector<int64_t> exact(p_.dims, 0);
    for (uint32_t v = 0; v < current.routes.size(); ++v) options_.soft.addExcess(p_, v, current.routes[v], exact.data());
    if (exact != units) throw Error("Internal", "SISR's units above the soft capacities drifted from its solution's");
  }
  inserter_.softCapacity(nullptr);
  verifyRuinCounts();
  inserter_.restrictTo(nullptr);
  return best;
}

void Sisr::verifyRuinCounts() const {
  if (!verify_) return;
  // With a split rate of a tenth or more, no split string among hundreds of splittable ones means
  // the split-string removal is not working (the chance is below 1e-9); likewise no ruin seeded at
  // the caller's tasks among hundreds offered them at a share of a tenth or more.
  if (options_.split_rate >= 0.1 && splittable_strings_ >= 200 && split_strings_ == 0)
    throw Error("Internal", "SISR made no split string among " + std::to_string(splittable_strings_) + " splittable ones");
  if (seed_draws_ >= 200 && seeded_ruins_ == 0)
    throw Error("Internal", "SISR seeded no ruin at the given tasks among " + std::to_string(seed_draws_) + " offered them");
}

}  // namespace waymark::vrp
