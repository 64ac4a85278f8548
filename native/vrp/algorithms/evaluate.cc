#include "vrp/algorithms/evaluate.h"

#include <algorithm>

namespace waymark::vrp {

namespace {

// Start of service within the first window that is still open at `arrival`, or -1.
int64_t serviceStart(std::span<const TimeWindow> windows, int64_t arrival) {
  for (const TimeWindow& w : windows)
    if (arrival <= w.end) return std::max(arrival, w.start);
  return -1;
}

}  // namespace

RouteTotals evaluateRoute(const Problem& p, uint32_t v, std::span<const uint32_t> tasks, std::vector<ScheduleStep>* steps, bool soft) {
  RouteTotals r;
  if (tasks.empty()) return r;
  const VehicleType& type = p.typeOf(v);
  const uint32_t D = p.dims;
  if (int64_t(tasks.size()) > p.max_tasks[v]) r.feasible = false;

  // Loads: jobs' deliveries ride from the start; pickups ride to the end. On the stack for a few
  // dimensions: this runs after every route change, and an allocation was a visible part of it.
  constexpr uint32_t kStackDims = 8;
  int64_t load_on_stack[kStackDims] = {};
  std::vector<int64_t> load_on_heap;
  if (D > kStackDims) load_on_heap.assign(D, 0);
  int64_t* const load = D > kStackDims ? load_on_heap.data() : load_on_stack;
  auto loadCopy = [&]() { return std::vector<int64_t>(load, load + D); };
  for (uint32_t t : tasks)
    if (p.kind[t] == TaskKind::kJob)
      for (uint32_t d = 0; d < D; ++d) load[d] += p.delivery[size_t(t) * D + d];
  auto overCapacity = [&]() {
    for (uint32_t d = 0; d < D; ++d)
      if (load[d] > p.capacity[size_t(v) * D + d]) return true;
    return false;
  };
  auto checkLoad = [&]() {
    if (!soft) {
      if (overCapacity()) r.feasible = false;
      return;
    }
    int64_t excess = 0;
    for (uint32_t d = 0; d < D; ++d) excess += std::max<int64_t>(load[d] - p.capacity[size_t(v) * D + d], 0);
    r.excess_load = std::max(r.excess_load, excess);
  };
  checkLoad();

  int64_t time = p.vtw[v].start;
  int32_t here = p.start[v];
  if (steps) {
    steps->clear();
    steps->push_back({StepType::kStart, kNone, here, time, 0, 0, 0, 0, 0, loadCopy()});
  }
  uint32_t next_break = p.break_first[v];
  const uint32_t breaks_end = p.break_first[v + 1];
  // Vehicle steps: pinned tasks keep their relative order, and a break the steps place between
  // pinned tasks stays between those of them present in the route.
  int32_t last_rank = -1;
  int32_t pinned_done = 0;
  std::vector<int32_t> pinned_ranks;  // ranks of the route's pinned tasks, in route order
  if (p.hasPinned())
    for (uint32_t t : tasks)
      if (p.pinned(t)) pinned_ranks.push_back(p.pinned_rank[t]);
  // Pinned tasks of this route that the steps list before break b.
  auto pinnedBefore = [&](uint32_t b) {
    const int32_t k = p.break_after_pinned.empty() ? kNone : p.break_after_pinned[b];
    if (k == kNone) return int32_t(0);
    return static_cast<int32_t>(std::count_if(pinned_ranks.begin(), pinned_ranks.end(), [&](int32_t r) { return r < k; }));
  };
  // Per task: pickup seen, delivery not yet. A per-thread array that is all zeros between calls
  // (the entries set are cleared on the way out): filling one the size of the problem per
  // evaluation dominated short routes of large shipment problems.
  // Taken at the first pickup only (a thread-local access is not free either).
  thread_local std::vector<uint8_t> open_marks;
  thread_local std::vector<uint32_t> open_set;
  struct OpenPickups {
    std::vector<uint8_t>* marks = nullptr;
    std::vector<uint32_t>* set = nullptr;
    ~OpenPickups() {
      if (!set) return;
      for (uint32_t t : *set) (*marks)[t] = 0;
      set->clear();
    }
  } open;
  int pending_pickups = 0;

  auto travel = [&](int32_t to) -> std::pair<int64_t, int64_t> {
    if (here == kNone || to == kNone) return {0, 0};
    return {type.travelTime(here, to), type.travelDistance(here, to)};
  };
  // Takes every break that cannot wait until after the task ending at `next_end` (or all remaining
  // breaks at the end of the route).
  auto takeBreaks = [&](bool at_end, int64_t next_end, uint32_t until) {
    while (next_break < std::min(breaks_end, until)) {
      const uint32_t b = next_break;
      const TimeWindow* w = nullptr;
      for (uint32_t i = p.break_tw_first[b]; i < p.break_tw_first[b + 1]; ++i)
        if (time <= p.break_tw[i].end) {
          w = &p.break_tw[i];
          break;
        }
      if (!w) {
        r.feasible = false;
        return;
      }
      if (!at_end && next_end <= w->end) return;  // still possible after the next task: later
      if (pinned_done < pinnedBefore(b)) {
        // The steps put this break after pinned tasks not yet served.
        r.feasible = false;
        return;
      }
      const int64_t begin = std::max(time, w->start);
      if (!p.break_max_load.empty())
        for (uint32_t d = 0; d < D; ++d)
          if (load[d] > p.break_max_load[size_t(b) * D + d]) r.feasible = false;
      if (steps) steps->push_back({StepType::kBreak, int32_t(b), here, time, begin - time, 0, p.break_service[b], r.travel_time, r.distance, loadCopy()});
      r.waiting += begin - time;
      time = begin + p.break_service[b];
      ++next_break;
    }
  };

  int32_t previous_location = here;
  for (size_t i = 0; i < tasks.size(); ++i) {
    const uint32_t t = tasks[i];
    if (!p.compatible(v, t)) r.feasible = false;
    const int32_t loc = static_cast<int32_t>(p.location[t]);
    const auto [tt, dd] = travel(loc);
    if (p.hasPinned() && p.pinned(t)) {
      const int32_t rank = p.pinned_rank[t];
      if (rank <= last_rank) r.feasible = false;
      last_rank = rank;
      // Breaks the steps place before this task are taken now, whatever their windows.
      while (next_break < breaks_end && !p.break_after_pinned.empty() && p.break_after_pinned[next_break] != kNone &&
             p.break_after_pinned[next_break] <= rank && r.feasible)
        takeBreaks(true, 0, next_break + 1);
    }
    // Would this task end after some pending break's window? Then the break comes first.
    {
      const int64_t arrival = time + tt;
      const int64_t start_est = serviceStart(p.windows(t), arrival);
      const int64_t end_est = (start_est < 0 ? arrival : start_est) + p.setup[t] + p.service[t];
      takeBreaks(false, end_est, breaks_end);
    }
    const int64_t arrival = time + tt;
    r.travel_time += tt;
    r.distance += dd;
    if (here != kNone) r.cost += type.travelCost(here, loc);
    int64_t begin = serviceStart(p.windows(t), arrival);
    if (begin < 0 && soft && !p.windows(t).empty()) {
      // Too late for every window: warp back to the end of the last one.
      begin = p.windows(t).back().end;
      r.time_warp += arrival - begin;
    }
    if (begin < 0) {
      r.feasible = false;
      if (!steps) return r;
    }
    const int64_t start_service = begin < 0 ? arrival : begin;
    const int64_t setup = (previous_location == loc) ? 0 : p.setup[t];
    r.waiting += std::max<int64_t>(start_service - arrival, 0);
    r.setup += setup;
    r.service += p.service[t];
    r.cost += p.taskTimeCost(v, setup + p.service[t]);
    if (p.hasPinned() && p.pinned(t)) ++pinned_done;
    time = start_service + setup + p.service[t];
    // Loads and precedence.
    switch (p.kind[t]) {
      case TaskKind::kJob:
        for (uint32_t d = 0; d < D; ++d) load[d] += p.pickup[size_t(t) * D + d] - p.delivery[size_t(t) * D + d];
        break;
      case TaskKind::kPickup:
        if (!open.set) {
          open.marks = &open_marks;
          open.set = &open_set;
          if (open_marks.size() < p.taskCount()) open_marks.resize(p.taskCount(), 0);
        }
        (*open.marks)[t] = 1;
        open.set->push_back(t);
        ++pending_pickups;
        for (uint32_t d = 0; d < D; ++d) load[d] += p.pickup[size_t(t) * D + d];
        break;
      case TaskKind::kDelivery: {
        const int32_t from = p.partner[t];
        if (!open.marks || !(*open.marks)[from]) r.feasible = false;
        else {
          (*open.marks)[from] = 0;
          --pending_pickups;
        }
        for (uint32_t d = 0; d < D; ++d) load[d] -= p.delivery[size_t(t) * D + d];
        break;
      }
    }
    checkLoad();
    if (steps) {
      const StepType st = p.kind[t] == TaskKind::kJob ? StepType::kJob : p.kind[t] == TaskKind::kPickup ? StepType::kPickup : StepType::kDelivery;
      steps->push_back({st, int32_t(t), loc, arrival, start_service - arrival, setup, p.service[t], r.travel_time, r.distance, loadCopy()});
    }
    here = loc;
    previous_location = loc;
    if (!r.feasible && !steps) return r;
  }
  if (pending_pickups != 0) r.feasible = false;
  takeBreaks(true, 0, breaks_end);
  const auto [tt, dd] = travel(p.end[v]);
  if (here != kNone && p.end[v] != kNone) r.cost += type.travelCost(here, p.end[v]);
  r.travel_time += tt;
  r.distance += dd;
  time += tt;
  if (time > p.vtw[v].end) {
    if (soft) r.time_warp += time - p.vtw[v].end;
    else r.feasible = false;
  }
  if (r.travel_time > p.max_travel_time[v] || r.distance > p.max_distance[v]) r.feasible = false;
  if (steps) steps->push_back({StepType::kEnd, kNone, p.end[v], time, 0, 0, 0, r.travel_time, r.distance, loadCopy()});
  r.cost += p.fixed_cost[v];
  return r;
}

}  // namespace waymark::vrp
