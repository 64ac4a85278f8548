#include "vrp/structures/solution.h"

#include <atomic>

#include "common/error.h"

namespace waymark::vrp {

namespace {
// Each thread takes versions from blocks of its own: one shared counter, bumped on every route
// change by every search thread, kept a cache line bouncing between the cores (Solution::renew was
// 5 % of a two-thread replan's profile).
std::atomic<uint64_t> next_block{1};
constexpr uint64_t kVersionBlock = uint64_t(1) << 16;
struct VersionCursor {
  uint64_t next = 0, end = 0;
};
thread_local VersionCursor cursor;

uint64_t peekVersion() {
  if (cursor.next == cursor.end) {
    cursor.next = next_block.fetch_add(kVersionBlock, std::memory_order_relaxed);
    cursor.end = cursor.next + kVersionBlock;
  }
  return cursor.next;
}

uint64_t issueVersion() {
  const uint64_t v = peekVersion();
  ++cursor.next;
  return v;
}
}  // namespace

uint64_t nextRouteVersion() { return peekVersion(); }

void freshRouteVersions() { cursor.next = cursor.end; }

Solution::Solution(const Problem& p)
    : routes(p.vehicleCount()), totals(p.vehicleCount()), route_of(p.taskCount(), kNone), version(p.vehicleCount()) {
  for (auto& v : version) v = issueVersion();
  for (uint32_t t = 0; t < p.taskCount(); ++t) penalty += penaltyOf(p, t);
}

void Solution::refresh(const Problem& p, uint32_t v) {
  // The known totals of the exact evaluation; every task of the route may be new to it.
  refreshKnown(p, v, evaluateRoute(p, v, routes[v], nullptr, soft), routes[v], false);
}

void Solution::renew(uint32_t v) { version[v] = issueVersion(); }

void Solution::refreshKnown(const Problem& p, uint32_t v, const RouteTotals& known, std::span<const uint32_t> added, bool verify, bool renewed) {
  if (verify) {
    const RouteTotals exact = evaluateRoute(p, v, routes[v], nullptr, soft);
    if (exact.feasible != known.feasible || exact.cost != known.cost || exact.travel_time != known.travel_time ||
        exact.distance != known.distance || exact.waiting != known.waiting || exact.service != known.service ||
        exact.setup != known.setup || exact.excess_load != known.excess_load || exact.time_warp != known.time_warp)
      throw Error("Internal", "incremental route totals disagree with the exact route evaluation");
  }
  cost += known.cost - totals[v].cost;
  excess_load += known.excess_load - totals[v].excess_load;
  time_warp += known.time_warp - totals[v].time_warp;
  totals[v] = known;
  if (!renewed) renew(v);
  for (uint32_t t : added) {
    if (route_of[t] == kNone) penalty -= penaltyOf(p, t);
    route_of[t] = static_cast<int32_t>(v);
  }
}

void Solution::refreshAll(const Problem& p) {
  for (uint32_t v = 0; v < p.vehicleCount(); ++v) {
    totals[v] = evaluateRoute(p, v, routes[v], nullptr, soft);
    version[v] = issueVersion();
  }
  sumRoutes(p);
}

void Solution::sumRoutes(const Problem& p) {
  cost = 0;
  penalty = 0;
  excess_load = time_warp = 0;
  std::fill(route_of.begin(), route_of.end(), kNone);
  for (uint32_t v = 0; v < p.vehicleCount(); ++v) {
    cost += totals[v].cost;
    excess_load += totals[v].excess_load;
    time_warp += totals[v].time_warp;
    for (uint32_t t : routes[v]) route_of[t] = static_cast<int32_t>(v);
  }
  for (uint32_t t = 0; t < p.taskCount(); ++t)
    if (route_of[t] == kNone) penalty += penaltyOf(p, t);
}

}  // namespace waymark::vrp
