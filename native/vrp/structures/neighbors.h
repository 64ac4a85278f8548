#pragma once
// Neighbour lists (granular search, Toth & Vigo 2003): for every task, the nearest other tasks by
// travel cost in both directions (and, with time windows, the waiting or lateness between them),
// so moves only look at pairs that can plausibly be good.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "common/parallel.h"
#include "vrp/structures/problem.h"

namespace waymark::vrp {

// Per task the earliest start of its first time window and the latest end of its last (none: the
// whole day), for the neighbour lists' time-window term.
struct TimeSpans {
  bool any = false;  // some task has a window
  std::vector<int64_t> open, close;
  double cost_per_time = 1;  // the travel cost of a unit of travel time (the time terms in cost units)

  // Twice the cheaper direction's 0.2 x waiting + time warp between t and u (twice: the travel
  // term is the sum of both directions).
  int64_t penalty(const Problem& p, const VehicleType& type, uint32_t t, uint32_t u) const {
    auto one = [&](uint32_t a, uint32_t b) {
      const int64_t d = type.travelTime(p.location[a], p.location[b]);
      const int64_t wait = std::max<int64_t>(0, open[b] - (close[a] + p.service[a] + d));
      const int64_t warp = std::max<int64_t>(0, open[a] + p.service[a] + d - close[b]);
      return 0.2 * double(wait) + double(warp);
    };
    return int64_t(2 * cost_per_time * std::min(one(t, u), one(u, t)));
  }
};

inline TimeSpans timeSpans(const Problem& p, const VehicleType& type) {
  const uint32_t T = p.taskCount();
  TimeSpans s;
  // No window: from far before any window to far after (kNoLimit / 4 keeps the sums inside int64).
  s.open.assign(T, -kNoLimit / 4);
  s.close.assign(T, kNoLimit / 4);
  for (uint32_t t = 0; t < T; ++t) {
    const auto w = p.windows(t);
    if (w.empty()) continue;
    s.open[t] = std::max(w.front().start, -kNoLimit / 4);
    s.close[t] = std::min(w.back().end, kNoLimit / 4);
    s.any = s.any || s.open[t] > -kNoLimit / 4 || s.close[t] < kNoLimit / 4;
  }
  if (s.any) {
    // The ratio of cost to time over the tasks' arcs to the next task (the same where the cost is
    // the travel time).
    double cost = 0, time = 0;
    for (uint32_t t = 0; t + 1 < T; ++t) {
      cost += double(type.travelCost(p.location[t], p.location[t + 1]));
      time += double(type.travelTime(p.location[t], p.location[t + 1]));
    }
    s.cost_per_time = time > 0 && cost > 0 ? cost / time : 1;
  }
  return s;
}

struct Neighbors {
  uint32_t k = 0;
  std::vector<uint32_t> list;  // task x k
  const uint32_t* of(uint32_t t) const { return list.data() + size_t(t) * k; }

  // O(T^2) in all: spread over `threads` (the first plan of a 5,000-task problem waits for this).
  // With time windows the travel cost alone makes tasks that no route could serve one after the
  // other neighbours (a small town: every task within minutes of every other, the windows spread
  // over the day). Vidal et al. 2013's correlation measure, as HGS-VRPTW and PyVRP use it, adds
  // the least waiting (weighted 0.2) and time warp (weighted 1) of going from one task to the other
  // in the better direction, in cost units; without windows the lists are the travel cost's.
  Neighbors(const Problem& p, uint32_t wanted, unsigned threads = 1) {
    const uint32_t T = p.taskCount();
    k = std::min<uint32_t>(wanted, T > 0 ? T - 1 : 0);
    list.resize(size_t(T) * k);
    const VehicleType& type = p.types[0];
    const TimeSpans spans = timeSpans(p, type);
    std::vector<std::vector<std::pair<int64_t, uint32_t>>> orders(std::max(1u, threads));
    parallelFor(T, std::max(1u, threads), [&](uint64_t t, unsigned thread) {
      auto& order = orders[thread];
      order.clear();
      for (uint32_t u = 0; u < T; ++u)
        if (u != t) {
          int64_t proximity = type.travelCost(p.location[t], p.location[u]) + type.travelCost(p.location[u], p.location[t]);
          if (spans.any) proximity += spans.penalty(p, type, uint32_t(t), u);
          order.push_back({proximity, u});
        }
      std::partial_sort(order.begin(), order.begin() + k, order.end());
      for (uint32_t i = 0; i < k; ++i) list[size_t(t) * k + i] = order[i].second;
    });
  }

  // The first `wanted` entries of each of `longer`'s lists: the lists the constructor would build
  // for `wanted` (the order by cost, then task, is total), without another O(T^2) pass.
  Neighbors(const Neighbors& longer, uint32_t wanted) : k(std::min(wanted, longer.k)) {
    const size_t T = longer.k ? longer.list.size() / longer.k : 0;
    list.resize(T * k);
    for (size_t t = 0; t < T; ++t) std::copy(longer.of(uint32_t(t)), longer.of(uint32_t(t)) + k, list.begin() + t * k);
  }
};

}  // namespace waymark::vrp
