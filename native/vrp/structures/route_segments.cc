#include "vrp/structures/route_segments.h"

#include <algorithm>

namespace waymark::vrp {

RouteSegments::RouteSegments(const Problem& p) : p_(p), routes_(p.vehicleCount()) {
  tasks_fast_ = p.dims <= kMaxFastDims;
  for (uint32_t t = 0; t < p.taskCount() && tasks_fast_; ++t)
    tasks_fast_ = p.kind[t] == TaskKind::kJob && p.setup[t] == 0 && p.tw_first[t + 1] - p.tw_first[t] == 1;
  problem_fast_ = tasks_fast_ && !p.hasPinned();
  for (int64_t c : p.task_hour_cost) problem_fast_ = problem_fast_ && c == 0;
  vehicle_fast_.resize(p.vehicleCount());
  for (uint32_t v = 0; v < p.vehicleCount(); ++v) vehicle_fast_[v] = !p.hasBreaks(v);
  // Skills, reach and pinning: without any, every vehicle may serve every task.
  all_compatible_ = p.reach.empty() && !p.hasPinned() && p.skills.empty();
}

int64_t RouteSegments::arc(uint32_t v, int32_t a, int32_t b) const { return arcCost(p_.typeOf(v), a, b); }

SegmentSummary RouteSegments::task(uint32_t t) const {
  SegmentSummary x;
  x.count = 1;
  x.first = x.last = static_cast<int32_t>(p_.location[t]);
  const TimeWindow& w = p_.tw[p_.tw_first[t]];
  x.tw = TwSegment::node(p_.service[t], w.start, w.end);
  for (uint32_t d = 0; d < p_.dims; ++d) {
    x.delivery[d] = p_.delivery[size_t(t) * p_.dims + d];
    x.pickup[d] = p_.pickup[size_t(t) * p_.dims + d];
    x.peak[d] = std::max(x.delivery[d], x.pickup[d]);
  }
  return x;
}

SegmentSummary RouteSegments::concat(const SegmentSummary& a, const SegmentSummary& b, uint32_t v) const {
  if (a.count == 0) return b;
  if (b.count == 0) return a;
  const VehicleType& type = p_.typeOf(v);
  SegmentSummary x;
  x.count = a.count + b.count;
  x.first = a.first;
  x.last = b.last;
  x.cost = a.cost + b.cost + type.travelCost(a.last, b.first);
  x.distance = a.distance + b.distance + type.travelDistance(a.last, b.first);
  const int64_t travel = type.travelTime(a.last, b.first);
  x.time = a.time + b.time + travel;
  x.tw = waymark::vrp::concat(a.tw, b.tw, travel);
  // While a runs, b's deliveries are on board too; while b runs, a's pickups.
  for (uint32_t d = 0; d < p_.dims; ++d) {
    x.delivery[d] = a.delivery[d] + b.delivery[d];
    x.pickup[d] = a.pickup[d] + b.pickup[d];
    x.peak[d] = std::max(a.peak[d] + b.delivery[d], b.peak[d] + a.pickup[d]);
  }
  return x;
}

const RouteSegments::RouteData& RouteSegments::data(const Solution& s, uint32_t r) {
  RouteData& c = routes_[r];
  if (c.version == s.version[r]) return c;
  c.version = s.version[r];
  const auto& route = s.routes[r];
  const size_t n = route.size();
  const VehicleType& type = p_.typeOf(r);
  c.prefix.resize(n + 1);
  c.suffix.resize(n + 1);
  c.prefix[0] = SegmentSummary{};
  for (size_t k = 0; k < n; ++k) c.prefix[k + 1] = concat(c.prefix[k], task(route[k]), r);
  c.suffix[n] = SegmentSummary{};
  for (size_t k = n; k-- > 0;) c.suffix[k] = concat(task(route[k]), c.suffix[k + 1], r);
  c.arc_cost.resize(n);
  c.reverse_cost.resize(n);
  for (size_t k = 0; k < n; ++k) {
    if (k == 0) {
      c.arc_cost[0] = c.reverse_cost[0] = 0;
      continue;
    }
    const uint32_t a = p_.location[route[k - 1]], b = p_.location[route[k]];
    c.arc_cost[k] = c.arc_cost[k - 1] + type.travelCost(a, b);
    c.reverse_cost[k] = c.reverse_cost[k - 1] + type.travelCost(b, a);
  }
  return c;
}

SegmentSummary RouteSegments::range(const Solution& s, uint32_t r, uint32_t b, uint32_t e, bool reversed, uint32_t v) {
  if (b >= e) return {};
  const auto& route = s.routes[r];
  if (!reversed && p_.vehicle_type[r] == p_.vehicle_type[v]) {
    const RouteData& c = data(s, r);
    if (b == 0) return c.prefix[e];
    if (e == route.size()) return c.suffix[b];
  }
  // A string in the middle, reversed, or on other matrices: task by task.
  SegmentSummary x;
  if (reversed)
    for (uint32_t k = e; k-- > b;) x = concat(x, task(route[k]), v);
  else
    for (uint32_t k = b; k < e; ++k) x = concat(x, task(route[k]), v);
  return x;
}

int64_t RouteSegments::cost(const Solution& s, uint32_t v, const RoutePiece* pieces, size_t count) {
  int64_t c = 0;
  int32_t here = p_.start[v];
  bool used = false;
  for (size_t i = 0; i < count; ++i) {
    const RoutePiece& q = pieces[i];
    if (q.begin >= q.end) continue;
    used = true;
    if (q.route == kNone) {
      const int32_t l = static_cast<int32_t>(p_.location[q.begin]);
      c += arc(v, here, l);
      here = l;
      continue;
    }
    const auto& route = s.routes[q.route];
    const int32_t lb = static_cast<int32_t>(p_.location[route[q.begin]]), le = static_cast<int32_t>(p_.location[route[q.end - 1]]);
    const int32_t first = q.reversed ? le : lb, last = q.reversed ? lb : le;
    c += arc(v, here, first);
    if (p_.vehicle_type[q.route] == p_.vehicle_type[v]) {
      const RouteData& d = data(s, uint32_t(q.route));
      const auto& sums = q.reversed ? d.reverse_cost : d.arc_cost;
      c += sums[q.end - 1] - sums[q.begin];
    } else {
      for (uint32_t k = q.begin; k + 1 < q.end; ++k) {
        const int32_t x = static_cast<int32_t>(p_.location[route[k]]), y = static_cast<int32_t>(p_.location[route[k + 1]]);
        c += q.reversed ? arc(v, y, x) : arc(v, x, y);
      }
    }
    here = last;
  }
  if (!used) return 0;
  return c + arc(v, here, p_.end[v]) + p_.fixed_cost[v];
}

FastTotals RouteSegments::evaluate(const Solution& s, uint32_t v, const RoutePiece* pieces, size_t count, bool soft) {
  FastTotals r;
  SegmentSummary body;
  for (size_t i = 0; i < count; ++i) {
    const RoutePiece& q = pieces[i];
    if (q.begin >= q.end) continue;
    if (q.route == kNone) {
      if (!all_compatible_ && !p_.compatible(v, q.begin)) r.feasible = false;
      body = concat(body, task(q.begin), v);
      continue;
    }
    if (q.route != int32_t(v) && !all_compatible_)
      for (uint32_t k = q.begin; k < q.end; ++k)
        if (!p_.compatible(v, s.routes[q.route][k])) r.feasible = false;
    body = concat(body, range(s, uint32_t(q.route), q.begin, q.end, q.reversed, v), v);
  }
  if (body.count == 0) return r;
  if (int64_t(body.count) > p_.max_tasks[v]) r.feasible = false;
  const VehicleType& type = p_.typeOf(v);
  const int32_t start = p_.start[v], end = p_.end[v];
  auto travel = [&](int32_t a, int32_t b) { return (a == kNone || b == kNone) ? int64_t(0) : type.travelTime(a, b); };
  auto dist = [&](int32_t a, int32_t b) { return (a == kNone || b == kNone) ? int64_t(0) : type.travelDistance(a, b); };
  r.cost = body.cost + arc(v, start, body.first) + arc(v, body.last, end) + p_.fixed_cost[v];
  if (body.time + travel(start, body.first) + travel(body.last, end) > p_.max_travel_time[v]) r.feasible = false;
  if (body.distance + dist(start, body.first) + dist(body.last, end) > p_.max_distance[v]) r.feasible = false;
  const TwSegment depot = TwSegment::node(0, p_.vtw[v].start, p_.vtw[v].end);
  const TwSegment whole = waymark::vrp::concat(waymark::vrp::concat(depot, body.tw, travel(start, body.first)), depot, travel(body.last, end));
  int64_t excess = 0;
  for (uint32_t d = 0; d < p_.dims; ++d) excess += std::max<int64_t>(body.peak[d] - p_.capacity[size_t(v) * p_.dims + d], 0);
  if (soft) {
    r.time_warp = whole.timewarp;
    r.excess_load = excess;
  } else if (whole.timewarp > 0 || excess > 0) {
    r.feasible = false;
  }
  return r;
}

bool RouteSegments::insertionFeasible(const Solution& s, uint32_t v, uint32_t i, uint32_t x) {
  const RouteData& c = data(s, v);
  const SegmentSummary& before = c.prefix[i];
  const SegmentSummary& after = c.suffix[i];
  const uint32_t D = p_.dims;
  // x's delivery rides through `before`, its pickup through `after`.
  for (uint32_t d = 0; d < D; ++d) {
    const int64_t cap = p_.capacity[size_t(v) * D + d], xd = p_.delivery[size_t(x) * D + d], xp = p_.pickup[size_t(x) * D + d];
    if (before.count > 0 && before.peak[d] + xd + after.delivery[d] > cap) return false;
    if (std::max(xd, xp) + before.pickup[d] + after.delivery[d] > cap) return false;
    if (after.count > 0 && after.peak[d] + before.pickup[d] + xp > cap) return false;
  }
  const VehicleType& type = p_.typeOf(v);
  const int32_t lx = static_cast<int32_t>(p_.location[x]);
  const int32_t a = before.count > 0 ? before.last : p_.start[v], b = after.count > 0 ? after.first : p_.end[v];
  auto travel = [&](int32_t from, int32_t to) { return (from == kNone || to == kNone) ? int64_t(0) : type.travelTime(from, to); };
  auto dist = [&](int32_t from, int32_t to) { return (from == kNone || to == kNone) ? int64_t(0) : type.travelDistance(from, to); };
  const int32_t start = p_.start[v], end = p_.end[v];
  const int64_t lead = before.count > 0 ? travel(start, before.first) : 0, trail = after.count > 0 ? travel(after.last, end) : 0;
  if (before.time + after.time + lead + trail + travel(a, lx) + travel(lx, b) > p_.max_travel_time[v]) return false;
  const int64_t lead_d = before.count > 0 ? dist(start, before.first) : 0, trail_d = after.count > 0 ? dist(after.last, end) : 0;
  if (before.distance + after.distance + lead_d + trail_d + dist(a, lx) + dist(lx, b) > p_.max_distance[v]) return false;
  const TwSegment depot = TwSegment::node(0, p_.vtw[v].start, p_.vtw[v].end);
  const TimeWindow& w = p_.tw[p_.tw_first[x]];
  TwSegment tw = before.count > 0 ? waymark::vrp::concat(depot, before.tw, lead) : depot;
  tw = waymark::vrp::concat(tw, TwSegment::node(p_.service[x], w.start, w.end), travel(a, lx));
  if (after.count > 0) tw = waymark::vrp::concat(tw, after.tw, travel(lx, after.first));
  tw = waymark::vrp::concat(tw, depot, travel(after.count > 0 ? after.last : lx, end));
  return tw.timewarp == 0;
}

void RouteSegments::materialize(const Solution& s, const RoutePiece* pieces, size_t count, std::vector<uint32_t>& out) {
  for (size_t i = 0; i < count; ++i) {
    const RoutePiece& q = pieces[i];
    if (q.begin >= q.end) continue;
    if (q.route == kNone) {
      out.push_back(q.begin);
      continue;
    }
    const auto& route = s.routes[q.route];
    if (q.reversed) out.insert(out.end(), route.rbegin() + (route.size() - q.end), route.rbegin() + (route.size() - q.begin));
    else out.insert(out.end(), route.begin() + q.begin, route.begin() + q.end);
  }
}

}  // namespace waymark::vrp
