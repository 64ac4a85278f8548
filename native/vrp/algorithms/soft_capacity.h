#pragma once
// Soft capacities for a replan's search. Where a replan adds orders the plan's vans are full (bench
// replan: 97 % of their capacity), so a new order either opens a van of its own or waits for a
// chain of moves between full routes that frees room for it, and SISR, whose ruins free room only
// in the two or three routes they touch, builds such chains slowly. Here the new orders go to their
// cheapest places over capacity and the search prices the load above capacity instead of refusing
// it (Vidal 2012's penalties), more dearly phase by phase, so that room moves from route to route
// over many iterations; a route still over capacity at the end gives up tasks to the greedy
// insertion. The search runs on a copy of the problem with raised capacities, so that every O(1)
// path of the insertion and the route totals stays exact; only the price is added on top.
#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "vrp/structures/problem.h"
#include "vrp/structures/solution.h"

namespace waymark::vrp {

struct SoftCapacity {
  const std::vector<int64_t>* capacity = nullptr;  // vehicle x dims: the real capacities (null: off)
  std::vector<double> weight;                       // per dimension: the price of one unit above them
  bool active() const { return capacity != nullptr; }
  // Adds route v's load above capacity, per dimension, to `units` (deliveries only: the load peaks
  // at the start). Counted in whole units, so that a search can follow it exactly.
  void addExcess(const Problem& p, uint32_t v, std::span<const uint32_t> route, int64_t* units, int64_t sign = 1) const;
  // The price of so many units above capacity per dimension.
  double price(const int64_t* units) const;
  // What adding `task` adds to that price for a route of v whose deliveries sum to `loads` (dims).
  // Inline: the insertion scan asks it of every route it looks at.
  double addedCost(const Problem& p, uint32_t v, const int64_t* loads, uint32_t task) const {
    double price = 0;
    for (uint32_t d = 0; d < p.dims; ++d) {
      const int64_t cap = (*capacity)[size_t(v) * p.dims + d], load = loads[d];
      const int64_t more = std::max<int64_t>(0, load + p.delivery[size_t(task) * p.dims + d] - cap) - std::max<int64_t>(0, load - cap);
      price += weight[d] * double(more);
    }
    return price;
  }
};

// Whether a replan can take soft capacities: every task a job, nothing picked up (so a route's load
// is its deliveries' sum), no vehicle steps (pinned tasks could not give way to the unloading),
// matrices small enough to copy (the copy with raised capacities; the insertion scan copies
// matrices up to the same size), and capacity that binds: in some dimension the warm start's
// routes carry at least kBindingLoad of their vehicles' capacity.
constexpr double kBindingLoad = 0.8;
bool softCapacityApplies(const Problem& p, const Solution& warm_start);

// p with every capacity raised by `share` of itself (at least one unit).
Problem withRaisedCapacities(const Problem& p, double share);

// Per dimension, the price of one unit above capacity such that an average job's delivery above
// capacity costs `arcs` times `arc_cost`.
std::vector<double> excessWeights(const Problem& p, double arc_cost, double arcs);

// Whether every route of s is within `capacity`.
bool withinCapacity(const Problem& p, const std::vector<int64_t>& capacity, const Solution& s);

// Takes jobs out of every route over `capacity` until it fits: each time, of the jobs that carry
// something in a dimension over capacity, one of the lowest priority whose removal saves the most
// travel; returns them. s's routes change, its totals do not: the caller refreshes.
std::vector<uint32_t> unloadOverfullRoutes(const Problem& p, const std::vector<int64_t>& capacity, Solution& s);

}  // namespace waymark::vrp
