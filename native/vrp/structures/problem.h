#pragma once
// A VRP instance in flat arrays (filled from VROOM-format JSON by the TypeScript side).
// Tasks are jobs, shipment pickups and shipment deliveries; a shipment's two tasks point at each
// other through `partner`. Times are integer seconds (or a benchmark's own scaled units), amounts
// integers per capacity dimension. Vehicles of one "type" (profile, speed factor, cost rates) share
// their duration and cost matrices.
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace waymark::vrp {

constexpr int64_t kNoLimit = std::numeric_limits<int64_t>::max() / 4;
constexpr int32_t kNone = -1;

enum class TaskKind : uint8_t { kJob = 0, kPickup = 1, kDelivery = 2 };

struct VehicleType {
  uint32_t locations = 0;
  std::vector<int32_t> duration;  // L x L, travel time
  std::vector<int32_t> distance;  // L x L, metres (may be all zero)
  std::vector<int32_t> cost;      // L x L, travel cost
  int64_t travelTime(uint32_t a, uint32_t b) const { return duration[size_t(a) * locations + b]; }
  int64_t travelDistance(uint32_t a, uint32_t b) const { return distance[size_t(a) * locations + b]; }
  int64_t travelCost(uint32_t a, uint32_t b) const { return cost[size_t(a) * locations + b]; }
};

struct TimeWindow {
  int64_t start, end;
};

struct Problem {
  uint32_t dims = 0;
  uint32_t locations = 0;
  std::vector<VehicleType> types;

  // tasks
  std::vector<TaskKind> kind;
  std::vector<uint32_t> location;
  std::vector<int64_t> service, setup;
  std::vector<uint32_t> tw_first;  // CSR into tw
  std::vector<TimeWindow> tw;
  std::vector<int64_t> delivery, pickup;  // task x dims
  std::vector<uint32_t> skill_first, skills;  // CSR, sorted
  std::vector<int64_t> priority;
  std::vector<int32_t> partner;  // the other task of a shipment, or kNone
  // types x tasks: 1 where vehicles of that type can place the task on their road network (both
  // ways between it and their depots). Empty = everywhere. Pairs with no route are only ever
  // between locations some type cannot reach, so no feasible route uses one.
  std::vector<uint8_t> reach;

  // vehicles
  std::vector<uint32_t> vehicle_type;
  std::vector<int32_t> start, end;  // location or kNone
  std::vector<int64_t> capacity;    // vehicle x dims
  std::vector<uint32_t> vskill_first, vskills;
  std::vector<TimeWindow> vtw;
  std::vector<uint32_t> break_first;  // CSR over breaks of each vehicle
  std::vector<uint32_t> break_tw_first;
  std::vector<TimeWindow> break_tw;
  std::vector<int64_t> break_service;
  std::vector<int64_t> max_tasks, max_travel_time, max_distance;  // kNoLimit when unset
  std::vector<int64_t> fixed_cost;

  // Optional constraints (each empty when the problem does not use it).
  // Vehicle `steps`: a task listed in a vehicle's steps is pinned to that vehicle (pinned_vehicle)
  // and keeps its rank among that vehicle's pinned tasks (pinned_rank); kNone = free. Time bounds
  // of steps arrive already folded into the time windows.
  std::vector<int32_t> pinned_vehicle, pinned_rank;
  // Per break: the number of pinned tasks its vehicle's steps list before it (the break comes after
  // those and before the others), or kNone when the steps do not place it.
  std::vector<int32_t> break_after_pinned;
  // Per break x dims: the largest load the vehicle may carry during the break (kNoLimit: any).
  std::vector<int64_t> break_max_load;
  // Per vehicle: cost of one hour of task time (setup + service), VROOM's `per_task_hour`.
  std::vector<int64_t> task_hour_cost;

  uint32_t taskCount() const { return static_cast<uint32_t>(kind.size()); }
  uint32_t vehicleCount() const { return static_cast<uint32_t>(vehicle_type.size()); }
  const VehicleType& typeOf(uint32_t v) const { return types[vehicle_type[v]]; }
  std::span<const TimeWindow> windows(uint32_t t) const { return {tw.data() + tw_first[t], tw.data() + tw_first[t + 1]}; }
  bool hasBreaks(uint32_t v) const { return break_first[v + 1] > break_first[v]; }
  // Vehicle v may serve task t (skills, reach, pinning). Inline up to the skills: the insertion
  // asks it of every route it looks at, and most tasks need no skill.
  bool compatible(uint32_t v, uint32_t t) const {
    if (!reachable(v, t)) return false;
    if (!pinned_vehicle.empty() && pinned_vehicle[t] != kNone && pinned_vehicle[t] != int32_t(v)) return false;
    return skill_first[t] == skill_first[t + 1] || hasSkills(v, t);
  }
  // Whether vehicle v has every skill task t needs.
  bool hasSkills(uint32_t v, uint32_t t) const;
  bool pinned(uint32_t t) const { return !pinned_vehicle.empty() && pinned_vehicle[t] != kNone; }
  bool hasPinned() const { return !pinned_vehicle.empty(); }
  // Cost of the task time of one task (VROOM's per_task_hour), rounded to the nearest integer.
  int64_t taskTimeCost(uint32_t v, int64_t task_time) const {
    if (task_hour_cost.empty() || task_hour_cost[v] == 0 || task_time <= 0) return 0;
    return static_cast<int64_t>((static_cast<__int128>(task_hour_cost[v]) * task_time + 1800) / 3600);
  }
  bool reachable(uint32_t v, uint32_t t) const { return reach.empty() || reach[size_t(vehicle_type[v]) * kind.size() + t] != 0; }
  // Throws waymark::Error("InvalidValue") naming the first inconsistency.
  void validate() const;
};

}  // namespace waymark::vrp
