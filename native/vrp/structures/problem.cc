#include "vrp/structures/problem.h"

#include <algorithm>
#include <string>

#include "common/error.h"

namespace waymark::vrp {

bool Problem::hasSkills(uint32_t v, uint32_t t) const {
  const uint32_t* vb = vskills.data() + vskill_first[v];
  const uint32_t* ve = vskills.data() + vskill_first[v + 1];
  return std::includes(vb, ve, skills.data() + skill_first[t], skills.data() + skill_first[t + 1]);
}

void Problem::validate() const {
  auto fail = [](const std::string& what) { throw Error("InvalidValue", "VRP problem: " + what); };
  const size_t T = taskCount(), V = vehicleCount();
  if (types.empty()) fail("no vehicle type");
  for (const auto& ty : types)
    if (ty.locations != locations || ty.duration.size() != size_t(locations) * locations ||
        ty.cost.size() != ty.duration.size() || ty.distance.size() != ty.duration.size())
      fail("matrix sizes do not match the number of locations");
  if (location.size() != T || service.size() != T || setup.size() != T || tw_first.size() != T + 1 ||
      delivery.size() != T * dims || pickup.size() != T * dims || skill_first.size() != T + 1 || priority.size() != T ||
      partner.size() != T || tw_first[T] != tw.size() || skill_first[T] != skills.size())
    fail("task arrays have inconsistent sizes");
  for (size_t t = 0; t < T; ++t) {
    if (location[t] >= locations) fail("task " + std::to_string(t) + " has a location outside the matrix");
    if (tw_first[t] >= tw_first[t + 1]) fail("task " + std::to_string(t) + " has no time window");
    if (partner[t] != kNone && (partner[t] < 0 || size_t(partner[t]) >= T || partner[partner[t]] != int32_t(t)))
      fail("task " + std::to_string(t) + " has a broken shipment link");
    // A job stands alone; a pickup's partner is a delivery and the other way round.
    const bool paired = partner[t] != kNone;
    if (uint8_t(kind[t]) > 2 || paired != (kind[t] != TaskKind::kJob) ||
        (paired && kind[partner[t]] == kind[t]))
      fail("task " + std::to_string(t) + " has a kind that does not match its shipment link");
    if (service[t] < 0 || setup[t] < 0) fail("task " + std::to_string(t) + " has a negative service or setup time");
  }
  for (const auto& w : tw)
    if (w.start > w.end) fail("a task time window ends before it starts");
  for (const auto& ty : types)
    for (size_t i = 0; i < ty.duration.size(); ++i)
      if (ty.duration[i] < 0 || ty.distance[i] < 0 || ty.cost[i] < 0) fail("a matrix holds a negative value");
  if (start.size() != V || end.size() != V || capacity.size() != V * dims || vskill_first.size() != V + 1 ||
      vtw.size() != V || break_first.size() != V + 1 || max_tasks.size() != V || max_travel_time.size() != V ||
      max_distance.size() != V || fixed_cost.size() != V || vehicle_type.size() != V)
    fail("vehicle arrays have inconsistent sizes");
  for (size_t v = 0; v < V; ++v) {
    if (vehicle_type[v] >= types.size()) fail("vehicle " + std::to_string(v) + " has no matrix");
    if ((start[v] != kNone && uint32_t(start[v]) >= locations) || (end[v] != kNone && uint32_t(end[v]) >= locations))
      fail("vehicle " + std::to_string(v) + " has a location outside the matrix");
  }
  if (!reach.empty() && reach.size() != types.size() * T) fail("reach must have one entry per vehicle type and task");
  if (break_tw_first.size() != break_service.size() + 1 || break_first[V] != break_service.size()) fail("break arrays have inconsistent sizes");
  for (size_t b = 0; b + 1 < break_tw_first.size(); ++b)
    if (break_tw_first[b] >= break_tw_first[b + 1] || break_tw_first[b + 1] > break_tw.size()) fail("break " + std::to_string(b) + " has no time window");
  for (const auto& w : break_tw)
    if (w.start > w.end) fail("a break time window ends before it starts");
  for (const auto& w : vtw)
    if (w.start > w.end) fail("a vehicle time window ends before it starts");
  // Times, amounts and costs stay within +-1e15 (what the N-API seam accepts) and limits within
  // kNoLimit, so that sums along any route stay far from int64 overflow.
  constexpr int64_t kMaxValue = 1'000'000'000'000'000;
  auto bounded = [](const std::vector<int64_t>& xs, int64_t max) {
    for (int64_t x : xs)
      if (x < -max || x > max) return false;
    return true;
  };
  if (!bounded(service, kMaxValue) || !bounded(setup, kMaxValue) || !bounded(delivery, kMaxValue) || !bounded(pickup, kMaxValue) ||
      !bounded(priority, kMaxValue) || !bounded(capacity, kMaxValue) || !bounded(break_service, kMaxValue) || !bounded(fixed_cost, kMaxValue) ||
      !bounded(max_tasks, kNoLimit) || !bounded(max_travel_time, kNoLimit) || !bounded(max_distance, kNoLimit))
    fail("a value is out of range");
  if (!pinned_vehicle.empty()) {
    if (pinned_vehicle.size() != T || pinned_rank.size() != T) fail("pinned arrays must have one entry per task");
    for (size_t t = 0; t < T; ++t)
      if (pinned_vehicle[t] != kNone && (pinned_vehicle[t] < 0 || size_t(pinned_vehicle[t]) >= V || pinned_rank[t] < 0))
        fail("task " + std::to_string(t) + " is pinned to a vehicle that does not exist");
  }
  if (!break_after_pinned.empty() && break_after_pinned.size() != break_service.size()) fail("break_after_pinned must have one entry per break");
  if (!break_max_load.empty() && break_max_load.size() != break_service.size() * dims) fail("break_max_load must have dims entries per break");
  if (!task_hour_cost.empty() && task_hour_cost.size() != V) fail("task_hour_cost must have one entry per vehicle");
  if (!bounded(break_max_load, kNoLimit) || !bounded(task_hour_cost, kMaxValue)) fail("a value is out of range");
  for (int64_t x : task_hour_cost)
    if (x < 0) fail("a per_task_hour cost is negative");
  for (const auto* ws : {&tw, &break_tw, &vtw})
    for (const auto& w : *ws)
      if (w.start < -kMaxValue || w.end > kMaxValue) fail("a time window is out of range");
}

}  // namespace waymark::vrp
