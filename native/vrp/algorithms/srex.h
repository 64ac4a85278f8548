#pragma once
// Selective route exchange crossover (SREX, Nagata & Kobayashi 2010, as in HGS for the VRPTW): the
// child is parent A with a region replaced by parent B's routes there. Routes of B near a random
// task are copied whole (onto the same vehicle, or one identical to it), the tasks they hold are
// taken out of A's other routes, and whatever ends up unserved (A's routes displaced by B's, routes
// that a removal made infeasible) is left for the caller to repair by greedy insertion. Works on
// every variant (time windows, shipments, breaks, skills, pinned steps, heterogeneous fleets):
// every route it keeps is one a parent had, or one with tasks taken out and re-evaluated.
#include <vector>

#include "vrp/structures/neighbors.h"
#include "vrp/structures/solution.h"

namespace waymark::vrp {

// Vehicles that can take each other's routes unchanged: the same class number (vehicles with
// breaks or with pinned tasks get a class of their own).
std::vector<uint32_t> interchangeableVehicles(const Problem& p);

// The child, with every task it does not serve appended to `missing` (jobs and shipment pickups:
// a shipment's delivery comes along with its pickup).
Solution srexCrossover(const Problem& p, const Neighbors& nb, const std::vector<uint32_t>& vehicle_class, const Solution& a,
                       const Solution& b, Rng& rng, std::vector<uint32_t>& missing);

}  // namespace waymark::vrp
