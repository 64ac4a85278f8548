#include "vrp/algorithms/insertion.h"

#include <algorithm>
#include <limits>

#include "common/error.h"
#include "common/huge_pages.h"

namespace waymark::vrp {

Inserter::Inserter(const Problem& p, const Neighbors* neighbors, bool verify)
    : p_(p), segments_(p, false), neighbors_(neighbors), route_stamp_(p.vehicleCount() + 1, 0), vehicle_class_(p.vehicleCount()) {
  verify_ = verify;
  segments_.setVerify(verify);
  all_compatible_ = p.reach.empty() && !p.hasPinned() && p.skills.empty();
  auto same = [&](uint32_t a, uint32_t b) {
    if (p.vehicle_type[a] != p.vehicle_type[b] || p.start[a] != p.start[b] || p.end[a] != p.end[b] ||
        p.vtw[a].start != p.vtw[b].start || p.vtw[a].end != p.vtw[b].end || p.max_tasks[a] != p.max_tasks[b] ||
        p.max_travel_time[a] != p.max_travel_time[b] || p.max_distance[a] != p.max_distance[b] ||
        p.fixed_cost[a] != p.fixed_cost[b] || p.hasBreaks(a) || p.hasBreaks(b) ||
        (!p.task_hour_cost.empty() && p.task_hour_cost[a] != p.task_hour_cost[b]))
      return false;
    for (uint32_t d = 0; d < p.dims; ++d)
      if (p.capacity[size_t(a) * p.dims + d] != p.capacity[size_t(b) * p.dims + d]) return false;
    return std::equal(p.vskills.begin() + p.vskill_first[a], p.vskills.begin() + p.vskill_first[a + 1],
                      p.vskills.begin() + p.vskill_first[b], p.vskills.begin() + p.vskill_first[b + 1]);
  };
  std::vector<uint32_t> representatives;
  for (uint32_t v = 0; v < p.vehicleCount(); ++v) {
    uint32_t c = 0;
    while (c < representatives.size() && !same(representatives[c], v)) ++c;
    if (c == representatives.size()) representatives.push_back(v);
    vehicle_class_[v] = c;
  }
  class_seen_.assign(representatives.size(), 0);
  scan_ok_ = true;
  for (uint32_t v = 0; v < p.vehicleCount(); ++v) scan_ok_ = scan_ok_ && segments_.feasibleFast(v);
  class_members_.resize(representatives.size());
  for (uint32_t v = 0; v < p.vehicleCount(); ++v) class_members_[vehicle_class_[v]].push_back(v);
}

bool Inserter::fastFeasible(const Solution& s, uint32_t x, uint32_t v, uint32_t i) {
  return segments_.insertionFeasible(s, v, i, x);
}

bool Inserter::feasible(const Solution& s, uint32_t task, uint32_t v, uint32_t pos, uint32_t pos2) {
  if (fastPathUsable(v, task) && int64_t(s.routes[v].size()) + 1 <= p_.max_tasks[v] && p_.compatible(v, task)) {
    const bool fast = fastFeasible(s, task, v, pos);
    if (verify_ && fast != feasibleExact(s, task, v, pos, pos2))
      throw Error("Internal", "O(1) insertion feasibility disagrees with the exact route evaluation");
    return fast;
  }
  return feasibleExact(s, task, v, pos, pos2);
}

bool Inserter::feasibleExact(const Solution& s, uint32_t task, uint32_t v, uint32_t pos, uint32_t pos2) {
  const auto& route = s.routes[v];
  scratch_.clear();
  const bool shipment = p_.kind[task] == TaskKind::kPickup;
  for (uint32_t i = 0; i <= route.size(); ++i) {
    if (i == pos) scratch_.push_back(task);
    if (shipment && i == pos2) scratch_.push_back(static_cast<uint32_t>(p_.partner[task]));
    if (i < route.size()) scratch_.push_back(route[i]);
  }
  const RouteTotals t = evaluateRoute(p_, v, scratch_);
  return t.feasible;
}

Insertion Inserter::best(const Solution& s, uint32_t task, Rng& rng, double blink) {
  if (neighbors_ && neighbors_->k > 0 && p_.vehicleCount() > 8) {
    const Insertion near = bestIn(s, task, rng, blink, true);
    if (near.found) return near;
  }
  return bestIn(s, task, rng, blink, false);
}

const int64_t* Inserter::routeLoads(const Solution& s, uint32_t v) {
  const uint32_t D = p_.dims;
  if (load_version_.empty()) {
    load_version_.assign(2 * size_t(p_.vehicleCount()), 0);
    keep_version_.resize(p_.vehicleCount(), 0);
    route_loads_.assign(size_t(p_.vehicleCount()) * 4 * D, 0);
  }
  int64_t* loads = route_loads_.data() + size_t(v) * 4 * D;  // the current slot, then the kept one
  const uint64_t version = s.version[v];
  if (verify_) {
    const int64_t* cached = version == 0                                      ? nullptr
                            : load_version_[2 * size_t(v) + 1] == version ? loads + 2 * D
                            : load_version_[2 * size_t(v)] == version     ? loads
                                                                          : nullptr;
    for (uint32_t d = 0; d < D && cached; ++d) {
      int64_t delivery = 0, pickup = 0;
      for (uint32_t t : s.routes[v]) delivery += p_.delivery[size_t(t) * D + d], pickup += p_.pickup[size_t(t) * D + d];
      if (cached[d] != delivery || cached[D + d] != pickup) throw Error("Internal", "a route's cached load sums disagree with its tasks");
    }
  }
  if (version != 0 && load_version_[2 * size_t(v) + 1] == version) return loads + 2 * D;
  if (load_version_[2 * size_t(v)] != version || version == 0) {
    stashKeptLoads(v, loads);
    std::fill(loads, loads + 2 * D, 0);
    for (uint32_t t : s.routes[v])
      for (uint32_t d = 0; d < D; ++d) loads[d] += p_.delivery[size_t(t) * D + d], loads[D + d] += p_.pickup[size_t(t) * D + d];
    load_version_[2 * size_t(v)] = version;
  }
  return loads;
}

void Inserter::stashKeptLoads(uint32_t v, int64_t* loads) {
  // The version an undo may put back goes aside first (see keep()).
  if (load_version_[2 * size_t(v)] != keep_version_[v]) return;
  std::copy(loads, loads + 2 * p_.dims, loads + 2 * p_.dims);
  load_version_[2 * size_t(v) + 1] = keep_version_[v];
}

void Inserter::prefetch(uint32_t task) const {
  if (neighbors_ && neighbors_->k > 0) {
    const uint32_t* of = neighbors_->of(task);
    for (uint32_t k = 0; k < neighbors_->k; k += 16) __builtin_prefetch(of + k);
  }
  if (!scan_prepared_ || p_.vehicleCount() == 0) return;
  const uint32_t type = p_.vehicle_type[0];
  const int32_t start = p_.start[0];
  if (packed_[type] && start != kNone) __builtin_prefetch(packed_[type] + size_t(p_.location[task]) * p_.types[type].locations + column_[type][start]);
  if (pairs_[type] && start != kNone)
    __builtin_prefetch(pairs_[type] + (size_t(p_.location[task]) * p_.types[type].locations + column_[type][start]) * 2);
}

Insertion Inserter::bestIn(const Solution& s, uint32_t task, Rng& rng, double blink, bool nearby_only) {
  // The vehicles to look at: all of them, or (nearby) the routes of the task's neighbours and the
  // first empty vehicle of each class.
  vehicles_.clear();
  if (nearby_only) {
    // Each neighbour's route once, in the order first met, without branches (they mispredict):
    // a route is new when its stamp is not this call's; unassigned neighbours map to slot V,
    // stamped in advance. Up to 63 vehicles the routes seen are bits of one register instead, so
    // that no stamp is stored and read back per neighbour (most neighbours share a route).
    const uint32_t V = p_.vehicleCount();
    uint64_t seen = 0;
    if (V < 64) {
      seen = uint64_t(1) << V;
    } else {
      if (++stamp_ == 0) {
        std::fill(route_stamp_.begin(), route_stamp_.end(), 0);
        stamp_ = 1;
      }
      route_stamp_[V] = stamp_;
    }
    vehicles_.resize(2 * size_t(neighbors_->k));
    uint32_t count = 0;
    auto mark = [&](uint32_t t) {
      const uint32_t* of = neighbors_->of(t);
      if (V < 64) {
        for (uint32_t k = 0; k < neighbors_->k; ++k) {
          const int32_t r = s.route_of[of[k]];
          const uint32_t slot = r == kNone ? V : static_cast<uint32_t>(r);
          const uint64_t bit = (~seen >> slot) & 1;
          vehicles_[count] = slot;
          count += uint32_t(bit);
          seen |= bit << slot;
        }
        return;
      }
      for (uint32_t k = 0; k < neighbors_->k; ++k) {
        const int32_t r = s.route_of[of[k]];
        const uint32_t slot = r == kNone ? V : static_cast<uint32_t>(r);
        vehicles_[count] = slot;
        count += route_stamp_[slot] != stamp_;
        route_stamp_[slot] = stamp_;
      }
    };
    mark(task);
    if (p_.kind[task] == TaskKind::kPickup) mark(static_cast<uint32_t>(p_.partner[task]));
    vehicles_.resize(count);
    if (verify_) {
      // The routes met, each once, in the order first met, by the obvious way.
      std::vector<uint32_t> met;
      for (uint32_t t : {task, p_.kind[task] == TaskKind::kPickup ? static_cast<uint32_t>(p_.partner[task]) : task})
        for (uint32_t k = 0; k < neighbors_->k; ++k) {
          const int32_t r = s.route_of[neighbors_->of(t)[k]];
          if (r != kNone && std::find(met.begin(), met.end(), uint32_t(r)) == met.end()) met.push_back(uint32_t(r));
        }
      if (met != vehicles_) throw Error("Internal", "the routes of a task's neighbours were gathered wrongly");
    }
    if (allowed_) std::erase_if(vehicles_, [&](uint32_t v) { return !allowed(v); });
    for (const auto& members : class_members_)
      for (uint32_t v : members)
        if (s.routes[v].empty() && allowed(v)) {
          vehicles_.push_back(v);
          break;
        }
  } else {
    for (uint32_t v = 0; v < p_.vehicleCount(); ++v)
      if (allowed(v)) vehicles_.push_back(v);
  }
  if (p_.kind[task] == TaskKind::kJob && scan_ok_ && !p_.pinned(task)) {
    if (verify_) {
      // Without blinks the scan must answer exactly what the candidate heap answers.
      Rng unused(0);
      const Insertion a = scanJob(s, task, unused, 0.0), b = heapBest(s, task, unused, 0.0);
      if (a.found != b.found || (a.found && (a.delta != b.delta || a.vehicle != b.vehicle || a.position != b.position)))
        throw Error("Internal", "the insertion scan disagrees with the candidate heap");
    }
    return scanJob(s, task, rng, blink);
  }
  return heapBest(s, task, rng, blink);
}

// Every candidate position (pairs of positions for a shipment) of the vehicles to look at, by cost
// delta in a lazy heap; the first feasible one that is not blinked wins.
Insertion Inserter::heapBest(const Solution& s, uint32_t task, Rng& rng, double blink) {
  candidates_.clear();
  const bool shipment = p_.kind[task] == TaskKind::kPickup;
  const uint32_t partner = shipment ? static_cast<uint32_t>(p_.partner[task]) : 0;
  const int32_t lt = static_cast<int32_t>(p_.location[task]);
  std::fill(class_seen_.begin(), class_seen_.end(), 0);
  for (uint32_t v : vehicles_) {
    if (!p_.compatible(v, task) || (shipment && !p_.compatible(v, partner))) continue;
    const auto& route = s.routes[v];
    if (route.empty()) {
      if (class_seen_[vehicle_class_[v]]) continue;
      class_seen_[vehicle_class_[v]] = 1;
    }
    const uint32_t n = static_cast<uint32_t>(route.size());
    if (int64_t(n + (shipment ? 2 : 1)) > p_.max_tasks[v]) continue;
    const VehicleType& type = p_.typeOf(v);
    const int64_t fixed = (route.empty() ? p_.fixed_cost[v] : 0) + excessPrice(s, v, task);
    for (uint32_t i = 0; i <= n; ++i) {
      const int32_t a = locationAt(p_, v, route, int64_t(i) - 1), b = locationAt(p_, v, route, i);
      const int64_t base = arcCost(type, a, lt) + arcCost(type, lt, b) - arcCost(type, a, b);
      if (!shipment) {
        candidates_.push_back({base + fixed, v, i, 0});
        continue;
      }
      const int32_t ld = static_cast<int32_t>(p_.location[partner]);
      // Delivery right after the pickup.
      candidates_.push_back({arcCost(type, a, lt) + arcCost(type, lt, ld) + arcCost(type, ld, b) - arcCost(type, a, b) + fixed, v, i, i});
      for (uint32_t j = i + 1; j <= n; ++j) {
        const int32_t c = locationAt(p_, v, route, int64_t(j) - 1), d = locationAt(p_, v, route, j);
        candidates_.push_back({base + arcCost(type, c, ld) + arcCost(type, ld, d) - arcCost(type, c, d) + fixed, v, i, j});
      }
    }
  }
  // Cheapest first, lazily: usually one of the first few is feasible, so a heap beats a sort.
  auto greater = [](const Candidate& a, const Candidate& b) { return b < a; };
  std::make_heap(candidates_.begin(), candidates_.end(), greater);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  while (!candidates_.empty()) {
    std::pop_heap(candidates_.begin(), candidates_.end(), greater);
    const Candidate c = candidates_.back();
    candidates_.pop_back();
    if (blink > 0 && u(rng) < blink) continue;
    if (feasible(s, task, c.vehicle, c.pos, c.pos2)) return {true, c.delta - excessPrice(s, c.vehicle, task), c.vehicle, c.pos, c.pos2};
  }
  return {};
}

// A job where the O(1) check is exact: one pass over the positions, checking feasibility only for a
// candidate cheaper than the best feasible one so far. Checks every candidate the lazy heap would
// (those cheaper than the answer) and answers the same, without building the candidate list.
// The costs come from the route's cached locations and gap costs and from the task's own matrix
// row (its column too when the matrix is symmetric): one cache line for many positions instead of
// three scattered matrix reads each. A route where the job fits anywhere (insertionFitsAnywhere)
// needs no feasibility check at all; the random draws for blinks are the same either way.
Insertion Inserter::scanJob(const Solution& s, uint32_t task, Rng& rng, double blink) {
  if (!scan_prepared_) prepareScan();
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const int32_t lt = static_cast<int32_t>(p_.location[task]);
  std::fill(class_seen_.begin(), class_seen_.end(), 0);
  Candidate best{std::numeric_limits<int64_t>::max(), 0, 0, 0};
  int64_t best_arcs[3] = {0, 0, 0};
  int64_t best_price = 0;  // soft capacities: the best's price above capacity, in best.delta
  bool found = false;
  const bool windows = !segments_.timeFree();  // every vehicle feasibleFast (scan_ok_): one window per task
  for (uint32_t v : vehicles_) {
    if (!all_compatible_ && !p_.compatible(v, task)) continue;
    const auto& route = s.routes[v];
    if (route.empty()) {
      if (class_seen_[vehicle_class_[v]]) continue;
      class_seen_[vehicle_class_[v]] = 1;
    }
    const uint32_t n = static_cast<uint32_t>(route.size());
    if (int64_t(n) + 1 > p_.max_tasks[v]) continue;
    const int64_t* loads = n > 0 ? routeLoads(s, v) : zero_loads_.data();
    if (n > 0) {
      // The start's load (every delivery) and the end's (every pickup) bound the load at any
      // position: a route that cannot take the job there cannot take it anywhere.
      // From the route's own sums, not the segments: a route refused here needs no rebuild.
      bool fits = true;
      for (uint32_t d = 0; d < p_.dims; ++d) {
        const int64_t cap = p_.capacity[size_t(v) * p_.dims + d];
        fits = fits && loads[d] + p_.delivery[size_t(task) * p_.dims + d] <= cap && loads[p_.dims + d] + p_.pickup[size_t(task) * p_.dims + d] <= cap;
      }
      if (!fits) continue;
    }
    // Soft capacities: a route whose price above capacity alone exceeds the best place so far is
    // passed over before its segments are read (a rebuild for a route just changed). Exact where
    // costs obey the triangle inequality (no detour below zero: road and Euclidean costs, up to
    // rounding); a search choice, not a constraint, so the self-check (verify) scans every route
    // and compares with the candidate heap. bench replan: 145,000-183,000 -> 186,000-197,000
    // iterations per 2 s replan.
    const int64_t price = soft_ ? excessPrice(loads, v, task) : 0;
    if (price > 0 && found && !verify_ && price > best.delta) continue;
    const bool anywhere = segments_.insertionFitsAnywhere(s, v, task);
    const uint32_t type_index = p_.vehicle_type[v];
    const VehicleType& type = p_.types[type_index];
    const size_t L = type.locations;
    const int32_t* cost = type.cost.data();
    const int32_t* from_task = cost + size_t(lt) * L;  // the task's row: costs from it
    const bool symmetric = symmetric_[type_index] != 0;
    // Asymmetric and small enough: the task's row of pairs, both arcs of a stop in one read.
    const int32_t* pairs = pairs_[type_index] ? pairs_[type_index] + size_t(lt) * 2 * L : nullptr;
    const uint32_t* packed = packed_[type_index] ? packed_[type_index] + size_t(lt) * L : nullptr;  // or 16-bit pairs
    const uint32_t* column = pairs || packed ? column_[type_index].data() : nullptr;
    auto to_task = [&](int32_t a) -> int64_t {
      return symmetric ? from_task[a] : packed ? packed[column[a]] >> 16 : pairs ? pairs[2 * size_t(column[a]) + 1] : cost[size_t(a) * L + lt];
    };
    const int64_t fixed = (route.empty() ? p_.fixed_cost[v] : 0) + price;
    const int32_t* where = n ? segments_.locations(s, v) : nullptr;
    const int32_t* gap = segments_.gapCosts(s, v);
    const int32_t start = p_.start[v], end = p_.end[v];
    // With time windows only the positions where the job could be on time even with instant travel
    // (RouteSegments::onTime): a job's window is a part of the day, and most of a route's positions
    // lie outside it.
    uint32_t first = 0, last = n;
    RouteSegments::OnTime on_time;
    if (windows) {
      on_time = segments_.onTime(s, v, task);
      first = on_time.first, last = on_time.last;  // onTime caps last at n
      if (first > last) continue;
    }
    auto into_from = [&](uint32_t i) -> int64_t { return i > 0 ? to_task(where[i - 1]) : start == kNone ? 0 : to_task(start); };
    int64_t into = into_from(first);  // the arc into the task from the previous stop
    bool into_stale = false;          // a position was skipped: into is read afresh
    const bool times_known = duration_is_cost_[type_index] != 0;
    // The row reads are scattered (the route's locations): ask for them a few positions ahead.
    constexpr uint32_t kAhead = 6;
    const uint32_t read_end = std::min(n, last + 1);  // the positions' locations read below
    auto prefetch = [&](int32_t a) {
      __builtin_prefetch(packed ? static_cast<const void*>(packed + column[a]) : pairs ? static_cast<const void*>(pairs + 2 * size_t(column[a])) : from_task + a);
    };
    for (uint32_t i = first; i < std::min(read_end, first + kAhead); ++i) prefetch(where[i]);
    for (uint32_t i = first; i <= last; ++i) {
      if (i + kAhead < read_end) prefetch(where[i + kAhead]);
      if (windows) {
        if (!on_time.possible(i, n)) {
          into_stale = true;
          continue;
        }
        if (into_stale) into = into_from(i), into_stale = false;
      }
      const int32_t b = i < n ? where[i] : end;
      int64_t out = 0, next_into = 0;
      if (packed) {
        if (b != kNone) {
          const uint32_t pair = packed[column[b]];
          out = pair & 0xffff, next_into = pair >> 16;
        }
      } else if (pairs) {
        if (b != kNone) {
          const int32_t* pair = pairs + 2 * size_t(column[b]);
          out = pair[0], next_into = pair[1];
        }
      } else if (b != kNone) {
        out = from_task[b];
        next_into = symmetric ? out : i < n ? cost[size_t(b) * L + lt] : 0;  // none after the end
      }
      const int64_t delta = into + out - gap[i] + fixed;
      const int64_t arc_in = into;
      into = next_into;
      if (found && !(Candidate{delta, v, i, 0} < best)) continue;
      if (blink > 0 && u(rng) < blink) continue;
      if (anywhere) {
        if (verify_ && !feasibleExact(s, task, v, i, 0))
          throw Error("Internal", "a route the insertion takes as fitting anywhere is infeasible by the exact evaluation");
      } else if (times_known) {
        // The same check as feasible(), with the arcs just read as travel times.
        const bool fast = segments_.insertionFeasible(s, v, i, task, arc_in, out);
        if (verify_ && fast != feasibleExact(s, task, v, i, 0))
          throw Error("Internal", "O(1) insertion feasibility with the scan's travel times disagrees with the exact route evaluation");
        if (!fast) continue;
      } else if (!feasible(s, task, v, i, 0)) {
        continue;
      }
      best = {delta, v, i, 0};
      best_price = price;
      best_arcs[0] = arc_in, best_arcs[1] = out, best_arcs[2] = gap[i];
      found = true;
    }
  }
  if (!found) return {};
  return {true, best.delta - best_price, best.vehicle, best.pos, best.pos2, s.version[best.vehicle], best_arcs[0], best_arcs[1], best_arcs[2]};
}

void Inserter::prepareScan() {
  scan_prepared_ = true;
  segments_.prepareInsertion();
  symmetric_.assign(p_.types.size(), 1);
  cost_pairs_.clear();
  cost_pairs_.resize(p_.types.size());
  pairs_.assign(p_.types.size(), nullptr);
  packed_.assign(p_.types.size(), nullptr);
  column_.assign(p_.types.size(), {});
  // Incremental totals: see incrementalTotals(). No window opens after the vehicle's start, so
  // service begins on arrival (time windows never binding, it is always the first window).
  int64_t latest_open = std::numeric_limits<int64_t>::min();
  for (const TimeWindow& w : p_.tw) latest_open = std::max(latest_open, w.start);
  incremental_.assign(p_.vehicleCount(), 0);
  timed_.assign(p_.vehicleCount(), 0);
  bool any_incremental = false;
  for (uint32_t v = 0; v < p_.vehicleCount(); ++v) {
    incremental_[v] = segments_.fast(v) && segments_.timeFree() && segments_.limitsFree(v) && latest_open <= p_.vtw[v].start;
    timed_[v] = segments_.fast(v) && !segments_.timeFree();
    any_incremental = any_incremental || incremental_[v] || timed_[v];
  }
  duration_same_.assign(p_.types.size(), SameAs::kNothing);
  distance_same_.assign(p_.types.size(), SameAs::kNothing);
  for (size_t k = 0; k < p_.types.size() && any_incremental; ++k) {
    const VehicleType& type = p_.types[k];
    if (type.duration == type.cost) duration_same_[k] = SameAs::kCost;
    if (std::all_of(type.distance.begin(), type.distance.end(), [](int32_t d) { return d == 0; })) distance_same_[k] = SameAs::kZero;
    else if (type.distance == type.cost) distance_same_[k] = SameAs::kCost;
    else if (type.distance == type.duration) distance_same_[k] = SameAs::kDuration;
  }
  duration_is_cost_.assign(p_.types.size(), 0);
  for (size_t k = 0; k < p_.types.size(); ++k) {
    const VehicleType& type = p_.types[k];
    const size_t L = type.locations;
    duration_is_cost_[k] = type.duration == type.cost;
    symmetric_[k] = RouteSegments::symmetric(type.cost, L);
    if (symmetric_[k] || L > RouteSegments::kMaxTransposed) continue;
    column_[k].resize(L);
    const std::vector<uint32_t> order = chainOrder(type.cost, L);
    for (uint32_t c = 0; c < L; ++c) column_[k][order[c]] = c;
    const std::vector<int32_t> into = RouteSegments::transposed(type.cost, L);
    // Room for `words` 32-bit words of rows from the first huge page boundary on, advised before
    // anything is written (not zeroed: every word is written below).
    auto rows = [&](size_t words) {
      constexpr size_t kHugePage = size_t(2) << 20, kSlack = kHugePage / sizeof(int32_t);
      cost_pairs_[k].reset(new int32_t[words + kSlack]);
      adviseHugePages(cost_pairs_[k].get(), (words + kSlack) * sizeof(int32_t));
      const uintptr_t data = reinterpret_cast<uintptr_t>(cost_pairs_[k].get());
      return cost_pairs_[k].get() + ((kHugePage - data % kHugePage) % kHugePage) / sizeof(int32_t);
    };
    if (std::all_of(type.cost.begin(), type.cost.end(), [](int32_t c) { return c >= 0 && c <= 0xffff; })) {
      // Every cost fits in 16 bits (a city's seconds): a pair in one 32-bit word, half the bytes
      // for the scan's scattered reads to miss on.
      uint32_t* packed = reinterpret_cast<uint32_t*>(rows(L * L));
      packed_[k] = packed;
      for (size_t x = 0; x < L; ++x)
        for (size_t a = 0; a < L; ++a) packed[x * L + column_[k][a]] = uint32_t(type.cost[x * L + a]) | uint32_t(into[x * L + a]) << 16;
      continue;
    }
    int32_t* pairs = rows(2 * L * L);
    pairs_[k] = pairs;
    for (size_t x = 0; x < L; ++x)
      for (size_t a = 0; a < L; ++a) {
        int32_t* pair = pairs + 2 * (x * L + column_[k][a]);
        pair[0] = type.cost[x * L + a];
        pair[1] = into[x * L + a];
      }
  }
}

// A nearest-neighbour chain through all locations (by the cost from the previous one), from
// location 0: nearby locations come out close together. O(L^2), reading the matrix row by row.
std::vector<uint32_t> Inserter::chainOrder(const std::vector<int32_t>& m, size_t L) {
  std::vector<uint32_t> order;
  order.reserve(L);
  std::vector<uint8_t> taken(L, 0);
  size_t at = 0;
  for (size_t step = 0; step < L; ++step) {
    order.push_back(static_cast<uint32_t>(at));
    taken[at] = 1;
    size_t next = L;
    int32_t nearest = std::numeric_limits<int32_t>::max();
    const int32_t* row = m.data() + at * L;
    for (size_t b = 0; b < L; ++b)
      if (!taken[b] && (next == L || row[b] < nearest)) next = b, nearest = row[b];
    at = next;
  }
  return order;
}

void Inserter::addDetour(RouteTotals& t, uint32_t v, int32_t a, int32_t b, uint32_t x, int64_t sign, bool bypassed_arc, const int64_t* cost_arcs) const {
  const VehicleType& type = p_.typeOf(v);
  const int32_t lx = static_cast<int32_t>(p_.location[x]);
  // evaluateRoute's arcs: nothing from or to an open end.
  auto arc = [&](const std::vector<int32_t>& m, int32_t from, int32_t to) -> int64_t {
    return (from == kNone || to == kNone) ? 0 : m[size_t(from) * type.locations + to];
  };
  auto detour = [&](const std::vector<int32_t>& m) { return arc(m, a, lx) + arc(m, lx, b) - (bypassed_arc ? arc(m, a, b) : 0); };
  const uint32_t k = p_.vehicle_type[v];
  const int64_t cost = cost_arcs ? cost_arcs[0] + cost_arcs[1] - (bypassed_arc ? cost_arcs[2] : 0) : detour(type.cost);
  const int64_t time = duration_same_[k] == SameAs::kCost ? cost : detour(type.duration);
  const int64_t distance = distance_same_[k] == SameAs::kZero       ? 0
                           : distance_same_[k] == SameAs::kCost     ? cost
                           : distance_same_[k] == SameAs::kDuration ? time
                                                                    : detour(type.distance);
  t.cost += sign * cost;
  t.travel_time += sign * time;
  t.distance += sign * distance;
  t.service += sign * p_.service[x];
}

void Inserter::removeFromTotals(const Solution& s, uint32_t v, uint32_t k, RouteTotals& totals) const {
  const auto& route = s.routes[v];
  if (route.size() == 1) {
    totals = RouteTotals{};  // an empty route costs nothing, not even its fixed cost
    return;
  }
  addDetour(totals, v, locationAt(p_, v, route, int64_t(k) - 1), locationAt(p_, v, route, int64_t(k) + 1), route[k], -1);
}

void Inserter::apply(Solution& s, uint32_t task, const Insertion& ins) {
  const uint32_t v = ins.vehicle, D = p_.dims;
  // The route's load sums follow from the inserted tasks' when they were current.
  const bool loads_known = !load_version_.empty() && s.version[v] != 0 && load_version_[2 * size_t(v)] == s.version[v];
  applyInsertion(s, task, ins);
  if (!loads_known) return;
  int64_t* loads = route_loads_.data() + size_t(v) * 4 * D;
  stashKeptLoads(v, loads);
  for (uint32_t t : {task, p_.kind[task] == TaskKind::kPickup ? static_cast<uint32_t>(p_.partner[task]) : task}) {
    for (uint32_t d = 0; d < D; ++d) loads[d] += p_.delivery[size_t(t) * D + d], loads[D + d] += p_.pickup[size_t(t) * D + d];
    if (p_.kind[task] != TaskKind::kPickup) break;
  }
  load_version_[2 * size_t(v)] = s.version[v];
}

void Inserter::applyInsertion(Solution& s, uint32_t task, const Insertion& ins) {
  auto& route = s.routes[ins.vehicle];
  const uint32_t v = ins.vehicle;
  // The O(1) totals need the insertion to be feasible: checked here too (O(dims) from the segments
  // the scan just used), so that they never rest on the caller.
  const bool timed = timedTotals(s, v);
  // The scan's arc costs, read on this very route (and its travel times when durations are costs).
  const bool arcs_known = ins.version != 0 && ins.version == s.version[v] && scan_prepared_;
  const bool times_known = arcs_known && duration_is_cost_[p_.vehicle_type[v]];
  const int64_t arcs[3] = {ins.arc_in, ins.arc_out, ins.arc_bypassed};
  if (p_.kind[task] == TaskKind::kJob && (incrementalTotals(s, v) || timed) && p_.compatible(v, task) && int64_t(route.size()) + 1 <= p_.max_tasks[v] &&
      (times_known ? segments_.insertionFeasible(s, v, ins.position, task, ins.arc_in, ins.arc_out)
                   : segments_.insertionFeasible(s, v, ins.position, task))) {
    RouteTotals known = s.totals[v];
    // Read before the route changes (the cached schedule is the current route's).
    const int64_t end_time = !timed ? 0 : times_known ? segments_.endAfterInsertion(s, v, ins.position, task, ins.arc_in, ins.arc_out)
                                                       : segments_.endAfterInsertion(s, v, ins.position, task);
    const int32_t a = locationAt(p_, v, route, int64_t(ins.position) - 1), b = locationAt(p_, v, route, ins.position);
    if (route.empty()) {
      // An empty route has no arc start -> end; the fixed cost comes with its first task.
      known = RouteTotals{};
      known.cost = p_.fixed_cost[v];
    }
    addDetour(known, v, a, b, task, 1, !route.empty(), arcs_known ? arcs : nullptr);
    // No setup, no breaks: the time from the vehicle's start to the end is travel, service and waiting.
    if (timed) known.waiting = end_time - p_.vtw[v].start - known.travel_time - known.service;
    route.insert(route.begin() + ins.position, task);
    s.refreshKnown(p_, v, known, std::span<const uint32_t>(&task, 1), verify_);
    return;
  }
  if (p_.kind[task] == TaskKind::kPickup) {
    // Delivery first (its index refers to the route before either insertion).
    route.insert(route.begin() + ins.position2, static_cast<uint32_t>(p_.partner[task]));
    route.insert(route.begin() + ins.position, task);
  } else {
    route.insert(route.begin() + ins.position, task);
  }
  s.refresh(p_, ins.vehicle);
}

std::vector<uint32_t> insertableTasks(const Problem& p, const std::vector<uint8_t>& assignable) {
  std::vector<uint32_t> tasks;
  for (uint32_t t = 0; t < p.taskCount(); ++t)
    if (assignable[t] && p.kind[t] != TaskKind::kDelivery) tasks.push_back(t);
  return tasks;
}

}  // namespace waymark::vrp
