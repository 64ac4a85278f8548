#pragma once
// Fleet minimisation for problems whose vehicles have a fixed cost (a hierarchical objective such
// as Li & Lim's: fewest vehicles, then distance). SISR's own variant (Christiaens & Vanden Berghe
// 2020, section 6): empty the smallest route, then ruin and recreate without opening routes; the
// tasks left out form a pool (Nagata & Bräysy 2009's ejection pool), and a result is kept when its
// pool is smaller, or when its tasks have been left out less often so far (absence counters), so
// that hard tasks get placed first. An empty pool is a plan with one route fewer; then the next.
#include <atomic>
#include <cstdint>
#include <vector>

#include "vrp/structures/neighbors.h"
#include "vrp/structures/problem.h"
#include "vrp/structures/solution.h"

namespace waymark::vrp {

struct FleetMinStats {
  uint64_t iterations = 0;
  uint32_t routes_removed = 0;
  uint32_t restarts = 0;  // further fleet minimisations from the first solution (solver.cc)
};

// Whether fleet minimisation applies: some vehicle has a fixed cost.
bool hasFixedCosts(const Problem& p);

// Returns `start` with as many routes removed as found before deadline_s (search clock), every
// task `start` served still served; or `start` itself. Stops early after `patience` iterations in
// a row that neither emptied the pool nor made it smaller than ever before for the current route,
// or as soon as *cancel is non-zero (the caller's cancel flag; may be null).
Solution minimiseFleet(const Problem& p, const Neighbors& nb, const std::vector<uint8_t>& assignable, const Solution& start, uint64_t seed,
                       double deadline_s, uint64_t patience, const std::atomic<int32_t>* cancel, FleetMinStats& stats, bool verify = false);

}  // namespace waymark::vrp
