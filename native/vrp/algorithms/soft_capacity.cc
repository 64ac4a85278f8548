#include "vrp/algorithms/soft_capacity.h"

#include <algorithm>
#include <cmath>

#include "vrp/structures/route_segments.h"

namespace waymark::vrp {

namespace {

// What a route's jobs deliver in dimension d: its load at the start, where it peaks (no pickups).
int64_t deliveries(const Problem& p, std::span<const uint32_t> route, uint32_t d) {
  int64_t load = 0;
  for (uint32_t t : route) load += p.delivery[size_t(t) * p.dims + d];
  return load;
}

}  // namespace

void SoftCapacity::addExcess(const Problem& p, uint32_t v, std::span<const uint32_t> route, int64_t* units, int64_t sign) const {
  for (uint32_t d = 0; d < p.dims; ++d) units[d] += sign * std::max<int64_t>(0, deliveries(p, route, d) - (*capacity)[size_t(v) * p.dims + d]);
}

double SoftCapacity::price(const int64_t* units) const {
  double total = 0;
  for (size_t d = 0; d < weight.size(); ++d) total += weight[d] * double(units[d]);
  return total;
}

bool softCapacityApplies(const Problem& p, const Solution& warm_start) {
  if (p.dims == 0 || p.taskCount() == 0 || p.hasPinned()) return false;
  for (const VehicleType& type : p.types)
    if (type.locations > RouteSegments::kMaxTransposed) return false;
  for (uint32_t t = 0; t < p.taskCount(); ++t)
    if (p.kind[t] != TaskKind::kJob) return false;
  if (!std::all_of(p.pickup.begin(), p.pickup.end(), [](int64_t x) { return x == 0; })) return false;
  for (uint32_t d = 0; d < p.dims; ++d) {
    double load = 0, room = 0;
    for (uint32_t v = 0; v < warm_start.routes.size(); ++v) {
      if (warm_start.routes[v].empty()) continue;
      load += double(deliveries(p, warm_start.routes[v], d));
      room += double(p.capacity[size_t(v) * p.dims + d]);
    }
    if (room > 0 && load >= kBindingLoad * room) return true;
  }
  return false;
}

Problem withRaisedCapacities(const Problem& p, double share) {
  Problem raised = p;
  for (int64_t& c : raised.capacity) c += std::max<int64_t>(1, int64_t(std::ceil(double(c) * share)));
  return raised;
}

std::vector<double> excessWeights(const Problem& p, double arc_cost, double arcs) {
  std::vector<double> w(p.dims, 0);
  for (uint32_t d = 0; d < p.dims; ++d) {
    int64_t sum = 0, count = 0;
    for (uint32_t t = 0; t < p.taskCount(); ++t)
      if (const int64_t x = p.delivery[size_t(t) * p.dims + d]; x > 0) sum += x, ++count;
    const double average = count ? double(sum) / double(count) : 1.0;
    w[d] = arcs * arc_cost / average;
  }
  return w;
}

bool withinCapacity(const Problem& p, const std::vector<int64_t>& capacity, const Solution& s) {
  for (uint32_t v = 0; v < s.routes.size(); ++v)
    for (uint32_t d = 0; d < p.dims; ++d)
      if (deliveries(p, s.routes[v], d) > capacity[size_t(v) * p.dims + d]) return false;
  return true;
}

std::vector<uint32_t> unloadOverfullRoutes(const Problem& p, const std::vector<int64_t>& capacity, Solution& s) {
  std::vector<uint32_t> out;
  std::vector<int64_t> load(p.dims);
  for (uint32_t v = 0; v < s.routes.size(); ++v) {
    auto& route = s.routes[v];
    for (uint32_t d = 0; d < p.dims; ++d) load[d] = deliveries(p, route, d);
    auto over = [&] {
      for (uint32_t d = 0; d < p.dims; ++d)
        if (load[d] > capacity[size_t(v) * p.dims + d]) return true;
      return false;
    };
    const VehicleType& type = p.typeOf(v);
    while (!route.empty() && over()) {
      size_t pick = route.size();
      int64_t priority = 0, saved = 0;
      for (size_t i = 0; i < route.size(); ++i) {
        const uint32_t t = route[i];
        bool helps = false;
        for (uint32_t d = 0; d < p.dims; ++d)
          helps = helps || (load[d] > capacity[size_t(v) * p.dims + d] && p.delivery[size_t(t) * p.dims + d] > 0);
        if (!helps) continue;
        const int32_t a = locationAt(p, v, route, int64_t(i) - 1), x = int32_t(p.location[t]), b = locationAt(p, v, route, int64_t(i) + 1);
        const int64_t gain = arcCost(type, a, x) + arcCost(type, x, b) - arcCost(type, a, b);
        if (pick == route.size() || p.priority[t] < priority || (p.priority[t] == priority && gain > saved)) pick = i, priority = p.priority[t], saved = gain;
      }
      if (pick == route.size()) break;  // cannot happen: a dimension over capacity has a job carrying it
      for (uint32_t d = 0; d < p.dims; ++d) load[d] -= p.delivery[size_t(route[pick]) * p.dims + d];
      out.push_back(route[pick]);
      route.erase(route.begin() + std::ptrdiff_t(pick));
    }
  }
  return out;
}

}  // namespace waymark::vrp
