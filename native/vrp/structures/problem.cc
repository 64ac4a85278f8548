#include "vrp/structures/problem.h"

#include <algorithm>
#include <string>

#include "common/error.h"

namespace waymark::vrp {

bool Problem::compatible(uint32_t v, uint32_t t) const {
  if (!reachable(v, t)) return false;
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
  }
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
}

}  // namespace waymark::vrp
