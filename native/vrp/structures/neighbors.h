#pragma once
// Neighbour lists (granular search, Toth & Vigo 2003): for every task, the nearest other tasks by
// travel cost in both directions, so moves only look at pairs that can plausibly be good.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "common/parallel.h"
#include "vrp/structures/problem.h"

namespace waymark::vrp {

struct Neighbors {
  uint32_t k = 0;
  std::vector<uint32_t> list;  // task x k
  const uint32_t* of(uint32_t t) const { return list.data() + size_t(t) * k; }

  // O(T^2) in all: spread over `threads` (the first plan of a 5,000-task problem waits for this).
  Neighbors(const Problem& p, uint32_t wanted, unsigned threads = 1) {
    const uint32_t T = p.taskCount();
    k = std::min<uint32_t>(wanted, T > 0 ? T - 1 : 0);
    list.resize(size_t(T) * k);
    const VehicleType& type = p.types[0];
    std::vector<std::vector<std::pair<int64_t, uint32_t>>> orders(std::max(1u, threads));
    parallelFor(T, std::max(1u, threads), [&](uint64_t t, unsigned thread) {
      auto& order = orders[thread];
      order.clear();
      for (uint32_t u = 0; u < T; ++u)
        if (u != t) order.push_back({type.travelCost(p.location[t], p.location[u]) + type.travelCost(p.location[u], p.location[t]), u});
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
