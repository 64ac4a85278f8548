#pragma once
// Exact evaluation of one route: schedule with time windows (the first window a task can still
// make), setup (only when arriving from another location), waiting, breaks (taken at the last
// moment their window allows before the next task would end too late), loads along the way,
// precedence of shipment pickups before their deliveries, skills and the vehicle's limits.
// The solver's fast filters are only ever confirmed by this function.
#include <cstdint>
#include <span>
#include <vector>

#include "vrp/structures/problem.h"

namespace waymark::vrp {

enum class StepType : uint8_t { kStart, kJob, kPickup, kDelivery, kBreak, kEnd };

struct ScheduleStep {
  StepType type;
  int32_t id;  // task or break index; kNone for start/end
  int32_t location;
  int64_t arrival, waiting, setup, service;
  int64_t duration;  // cumulated travel time on arrival
  int64_t distance;  // cumulated travel distance on arrival
  std::vector<int64_t> load;  // after the step
};

struct RouteTotals {
  bool feasible = true;
  int64_t cost = 0;  // travel cost, plus the fixed cost when the route is used
  int64_t travel_time = 0, distance = 0, waiting = 0, service = 0, setup = 0;
  // Soft evaluation only (always 0 otherwise): the largest load above capacity along the route
  // (summed over dimensions) and the time warp (Vidal 2013: how much earlier the vehicle would have
  // to arrive to make every time window and its own shift end).
  int64_t excess_load = 0, time_warp = 0;
};

// soft: capacities and time windows (tasks' and the vehicle's) do not make the route infeasible but
// are measured in excess_load and time_warp, for the hybrid genetic search's penalised education;
// every other constraint stays hard. With soft = false, excess_load and time_warp stay 0.
RouteTotals evaluateRoute(const Problem& p, uint32_t vehicle, std::span<const uint32_t> tasks,
                          std::vector<ScheduleStep>* steps = nullptr, bool soft = false);

}  // namespace waymark::vrp
