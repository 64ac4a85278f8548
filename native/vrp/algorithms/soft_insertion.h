#pragma once
// A replan's new jobs placed into the previous plan's routes without opening routes for them. The
// plan's routes are nearly full where a replan adds orders (bench replan: 97 % of the vans'
// capacity), so the greedy insertion opens a van for most new orders and the search then spends
// its short budget closing those again. Here each new job goes to its cheapest place with soft
// capacities and time windows (the hybrid genetic search's penalties, Vidal 2012), and the
// penalised local search moves tasks until every route is within its limits (the weights ten
// times higher each round that ends over them). A route still over a limit gives up tasks, the
// new ones first, to the greedy insertion that follows.
#include <cstdint>
#include <vector>

#include "vrp/structures/neighbors.h"
#include "vrp/structures/problem.h"
#include "vrp/structures/solution.h"

namespace waymark::vrp {

// s: a hard solution (the warm start); tasks: those it does not hold (only jobs are placed here;
// shipments are left to the greedy insertion). s changes only to another hard solution in which
// every route is feasible by the exact evaluation.
void insertSoftly(const Problem& p, Solution& s, const Neighbors& nb, const std::vector<uint32_t>& tasks, double deadline_s, bool verify);

}  // namespace waymark::vrp
