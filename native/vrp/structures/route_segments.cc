#include "vrp/structures/route_segments.h"

#include <algorithm>
#include <limits>

#include "common/error.h"

namespace waymark::vrp {

namespace {

// Resizes v from its size to new_size keeping its last `tail` elements last (moved, the rest of
// the elements before them left as they are up to the new size).
template <class T>
void resizeKeepingTail(std::vector<T>& v, size_t new_size, size_t tail) {
  const size_t old_size = v.size();
  if (new_size > old_size) {
    v.resize(new_size);
    std::copy_backward(v.begin() + ptrdiff_t(old_size - tail), v.begin() + ptrdiff_t(old_size), v.end());
  } else if (new_size < old_size) {
    std::copy(v.end() - ptrdiff_t(tail), v.end(), v.begin() + ptrdiff_t(new_size - tail));
    v.resize(new_size);
  }
}

// The first index of the non-decreasing a[0, n) whose element is not `below` (std::lower_bound's
// answer for y < key, std::upper_bound's for y <= key), without branches: the insertion scan asks
// it twice per route looked at, and a short route's comparisons mispredict half the time.
template <class Below>
uint32_t boundIn(const int64_t* a, uint32_t n, Below below) {
  if (n == 0) return 0;
  const int64_t* first = a;
  while (n > 1) {
    const uint32_t half = n / 2;
    first = below(first[half]) ? first + half : first;
    n -= half;
  }
  return uint32_t(first - a) + (below(*first) ? 1 : 0);
}

}  // namespace

RouteSegments::RouteSegments(const Problem& p, bool moves) : p_(p), moves_(moves), routes_(p.vehicleCount()) {
  tasks_fast_ = p.dims <= kMaxFastDims;
  for (uint32_t t = 0; t < p.taskCount() && tasks_fast_; ++t)
    tasks_fast_ = p.kind[t] == TaskKind::kJob && p.setup[t] == 0 && p.tw_first[t + 1] - p.tw_first[t] == 1;
  problem_fast_ = tasks_fast_ && !p.hasPinned();
  for (int64_t c : p.task_hour_cost) problem_fast_ = problem_fast_ && c == 0;
  vehicle_fast_.resize(p.vehicleCount());
  for (uint32_t v = 0; v < p.vehicleCount(); ++v) vehicle_fast_[v] = !p.hasBreaks(v);
  // Skills, reach and pinning: without any, every vehicle may serve every task.
  all_compatible_ = p.reach.empty() && !p.hasPinned() && p.skills.empty();
  limits_free_.assign(p.vehicleCount(), 0);
  duration_into_.assign(p.types.size(), {});
  duration_symmetric_.assign(p.types.size(), 0);
}

std::vector<int32_t> RouteSegments::transposed(const std::vector<int32_t>& m, size_t L) {
  std::vector<int32_t> out(L * L);
  constexpr size_t kBlock = 32;  // tiles, so that reads and writes both stay in cache
  for (size_t a0 = 0; a0 < L; a0 += kBlock)
    for (size_t b0 = 0; b0 < L; b0 += kBlock)
      for (size_t a = a0; a < std::min(L, a0 + kBlock); ++a)
        for (size_t b = b0; b < std::min(L, b0 + kBlock); ++b) out[b * L + a] = m[a * L + b];
  return out;
}

bool RouteSegments::symmetric(const std::vector<int32_t>& m, size_t L) {
  for (size_t a = 0; a < L; ++a)
    for (size_t b = a + 1; b < L; ++b)
      if (m[a * L + b] != m[b * L + a]) return false;
  return true;
}

void RouteSegments::prepareInsertion() {
  if (prepared_) return;
  prepared_ = true;
  // A route has at most T tasks and T + 1 arcs; every arrival is at most the latest opening time
  // (after waiting) plus all service and setup plus T + 1 of the longest arcs. Computed in
  // __int128 so that nothing overflows.
  using Wide = __int128;
  const Wide arcs = Wide(p_.taskCount()) + 1;
  std::vector<int64_t> max_duration(p_.types.size(), 0), max_distance(p_.types.size(), 0);
  for (size_t k = 0; k < p_.types.size(); ++k) {
    for (int32_t x : p_.types[k].duration) max_duration[k] = std::max<int64_t>(max_duration[k], x);
    for (int32_t x : p_.types[k].distance) max_distance[k] = std::max<int64_t>(max_distance[k], x);
  }
  Wide latest_open = 0, earliest_close = std::numeric_limits<int64_t>::max(), work = 0, longest = 0;
  for (const auto* windows : {&p_.tw, &p_.vtw})
    for (const TimeWindow& w : *windows) {
      latest_open = std::max<Wide>(latest_open, w.start);
      earliest_close = std::min<Wide>(earliest_close, w.end);
    }
  for (uint32_t t = 0; t < p_.taskCount(); ++t) work += std::max<int64_t>(p_.service[t], 0) + std::max<int64_t>(p_.setup[t], 0);
  for (int64_t d : max_duration) longest = std::max<Wide>(longest, d);
  time_free_ = earliest_close >= latest_open + work + arcs * longest;
  duration_is_cost_.assign(p_.types.size(), 0);
  if (!time_free_) {
    node_.resize(p_.taskCount());
    for (uint32_t t = 0; t < p_.taskCount(); ++t) node_[t] = TwSegment::node(p_.service[t], p_.tw[p_.tw_first[t]].start, p_.tw[p_.tw_first[t]].end);
  }
  if (!time_free_)
    for (size_t k = 0; k < p_.types.size(); ++k) {
      duration_is_cost_[k] = p_.types[k].duration == p_.types[k].cost;
      const VehicleType& type = p_.types[k];
      const size_t L = type.locations;
      const bool is_symmetric = symmetric(type.duration, L);
      duration_symmetric_[k] = is_symmetric;
      if (!is_symmetric && L <= kMaxTransposed) duration_into_[k] = transposed(type.duration, L);
    }
  for (uint32_t v = 0; v < p_.vehicleCount(); ++v) {
    const uint32_t k = p_.vehicle_type[v];
    limits_free_[v] = p_.max_travel_time[v] >= arcs * max_duration[k] && p_.max_distance[v] >= arcs * max_distance[k];
  }
}

const RouteSegments::RouteData& RouteSegments::refreshData(const Solution& s, uint32_t r) {
  if (kept_.empty()) return moves_ ? rebuild(s, r) : patch(s, r, nullptr);
  RouteData& c = routes_[r];
  RouteData& k = kept_[r];
  if (k.version == s.version[r]) {
    std::swap(c, k);
    return c;
  }
  if (c.version != keep_version_[r]) return moves_ ? rebuild(s, r) : patch(s, r, nullptr);
  // The version to keep goes aside; a patch starts from it.
  std::swap(c, k);
  return moves_ ? rebuild(s, r) : patch(s, r, &k);
}

const RouteSegments::RouteData& RouteSegments::patch(const Solution& s, uint32_t r, const RouteData* ref) {
  RouteData& c = routes_[r];
  // Edited in place: the earlier version's data first becomes c's.
  if (ref && ref != &c) c = *ref;
  const auto& route = s.routes[r];
  const size_t n = route.size();
  const uint32_t D = p_.dims;
  const VehicleType& type = p_.typeOf(r);
  const bool tw = !time_free_;
  // The earlier data's tasks, when it is whole (never built: nothing to reuse).
  size_t m = c.task.size();
  const bool usable = c.version != 0 && c.location.size() == m && c.gap_cost.size() == m + 1 && (!tw || (c.gap_time.size() == m + 1 && c.departure.size() == m && c.latest.size() == m));
  if (!usable) m = 0;
  c.version = s.version[r];
  // Tasks [0, pre) are the same in both, and so are the last `post` ones.
  size_t pre = 0, post = 0;
  while (pre < std::min(m, n) && c.task[pre] == route[pre]) ++pre;
  while (post < std::min(m, n) - pre && c.task[m - 1 - post] == route[n - 1 - post]) ++post;
  if (usable && m == n && pre == n) return c;  // the same tasks
  // Gaps [0, pre) and the last `post` keep their arcs; gaps pre to n - post are new (gap k lies
  // between tasks k - 1 and k). Their arcs come from the earlier data where both ends were
  // neighbours there (a split string's kept tasks), else from the matrices: into scratch, since
  // the old gaps move.
  const size_t g0 = pre, g1 = n - post + 1;
  new_gap_cost_.resize(g1 - g0);
  if (tw) new_gap_time_.resize(g1 - g0);
  const bool reuse = type.locations >= kReuseArcsFrom && m > 0;
  // Where the duration matrix is the cost matrix, a new arc is read once (a cache miss each).
  const bool time_is_cost = p_.vehicle_type[r] < duration_is_cost_.size() && duration_is_cost_[p_.vehicle_type[r]];
  if (reuse) {
    if (old_index_.empty()) old_index_.assign(p_.taskCount(), 0);
    for (size_t j = pre; j < m - post; ++j) old_index_[c.task[j]] = uint32_t(j) + 1;
  }
  // Index in the earlier data of new task k (-1: the start, m: the end, -2: not there).
  auto oldIndexOf = [&](int64_t k) -> int64_t {
    if (k < int64_t(pre)) return k;
    if (k >= int64_t(n - post)) return k - int64_t(n) + int64_t(m);
    const uint32_t i = reuse ? old_index_[route[size_t(k)]] : 0;
    return i == 0 ? -2 : int64_t(i) - 1;
  };
  auto locationOf = [&](int64_t k) -> int32_t { return k < 0 ? p_.start[r] : k >= int64_t(n) ? p_.end[r] : static_cast<int32_t>(p_.location[route[size_t(k)]]); };
  for (size_t k = g0; k < g1; ++k) {
    const int64_t before_old = oldIndexOf(int64_t(k) - 1), here_old = oldIndexOf(int64_t(k));
    if (reuse && before_old != -2 && here_old == before_old + 1) {
      new_gap_cost_[k - g0] = c.gap_cost[size_t(here_old)];
      if (tw) new_gap_time_[k - g0] = c.gap_time[size_t(here_old)];
    } else {
      const int32_t a = locationOf(int64_t(k) - 1), b = locationOf(int64_t(k));
      new_gap_cost_[k - g0] = static_cast<int32_t>(arcCost(type, a, b));
      if (tw) new_gap_time_[k - g0] = (a == kNone || b == kNone) ? 0 : time_is_cost ? new_gap_cost_[k - g0] : static_cast<int32_t>(type.travelTime(a, b));
    }
  }
  if (reuse)
    for (size_t j = pre; j < m - post; ++j) old_index_[c.task[j]] = 0;
  // The shared end moves to its new place; the rest is computed below.
  if (m == 0) {
    c.task.clear(), c.location.clear(), c.gap_cost.clear(), c.gap_time.clear(), c.suffix_peak.clear(), c.latest.clear();
    c.gap_cost.resize(1);
    if (tw) c.gap_time.resize(1);
  }
  resizeKeepingTail(c.task, n, post);
  resizeKeepingTail(c.location, n, post);
  resizeKeepingTail(c.gap_cost, n + 1, post);
  if (tw) resizeKeepingTail(c.gap_time, n + 1, post);
  else c.gap_time.clear();
  resizeKeepingTail(c.suffix_peak, n * D, post * D);
  std::copy(new_gap_cost_.begin(), new_gap_cost_.end(), c.gap_cost.begin() + ptrdiff_t(g0));
  if (tw) std::copy(new_gap_time_.begin(), new_gap_time_.end(), c.gap_time.begin() + ptrdiff_t(g0));
  for (size_t k = pre; k < n - post; ++k) {
    c.task[k] = route[k];
    c.location[k] = static_cast<int32_t>(p_.location[route[k]]);
  }
  // Forward from the first change: loads, and with time windows the schedule and the segments
  // from the start.
  c.delivery.resize(n * D);
  c.pickup.resize(n * D);
  c.prefix_peak.resize(n * D);
  // One dimension (the usual case) with the loops over dimensions unrolled by the compiler.
  auto loads = [&](auto dims) {
    const uint32_t DD = dims;
    int64_t* delivery = c.delivery.data();
    int64_t* pickup = c.pickup.data();
    int64_t* prefix_peak = c.prefix_peak.data();
    int64_t* suffix_peak = c.suffix_peak.data();
    for (size_t k = pre; k < n; ++k) {
      const uint32_t t = route[k];
      const int64_t* del = &p_.delivery[size_t(t) * DD];
      const int64_t* pick = &p_.pickup[size_t(t) * DD];
      for (uint32_t d = 0; d < DD; ++d) {
        const size_t i = k * DD + d;
        if (k == 0) {
          delivery[i] = del[d], pickup[i] = pick[d], prefix_peak[i] = std::max(del[d], pick[d]);
        } else {
          const size_t h = i - DD;
          delivery[i] = delivery[h] + del[d];
          pickup[i] = pickup[h] + pick[d];
          prefix_peak[i] = std::max(prefix_peak[h] + del[d], std::max(del[d], pick[d]) + pickup[h]);
        }
      }
    }
    // Backward from the last change: the peaks of the suffixes.
    for (size_t k = n - post; k-- > 0;) {
      const uint32_t t = route[k];
      const int64_t* del = &p_.delivery[size_t(t) * DD];
      const int64_t* pick = &p_.pickup[size_t(t) * DD];
      for (uint32_t d = 0; d < DD; ++d) {
        if (k == n - 1) {
          suffix_peak[k * DD + d] = std::max(del[d], pick[d]);
          continue;
        }
        const int64_t later_delivery = delivery[(n - 1) * DD + d] - delivery[k * DD + d];
        suffix_peak[k * DD + d] = std::max(std::max(del[d], pick[d]) + later_delivery, suffix_peak[(k + 1) * DD + d] + pick[d]);
      }
    }
  };
  if (D == 1) loads(std::integral_constant<uint32_t, 1>{});
  else loads(D);
  if (tw) patchSchedule(c, r, route, pre, post, m);
  if (verify_) {
    // The same data rebuilt from nothing (every arc read from the matrices).
    const RouteData patched = c;
    rebuild(s, r);
    if (c.location != patched.location || c.gap_cost != patched.gap_cost || c.gap_time != patched.gap_time || c.delivery != patched.delivery ||
        c.pickup != patched.pickup || c.prefix_peak != patched.prefix_peak || c.suffix_peak != patched.suffix_peak ||
        c.departure != patched.departure || c.end_time != patched.end_time || patched.task != route ||
        c.latest != patched.latest || c.first_late != patched.first_late)
      throw Error("Internal", "route segments patched from an earlier version disagree with a rebuild");
    c.task = patched.task;
  }
  return c;
}

const RouteSegments::RouteData& RouteSegments::rebuild(const Solution& s, uint32_t r) {
  RouteData& c = routes_[r];
  c.version = s.version[r];
  const auto& route = s.routes[r];
  const size_t n = route.size();
  const uint32_t D = p_.dims;
  const VehicleType& type = p_.typeOf(r);
  c.location.resize(n);
  // Insertion mode keeps only the time-window segments with the depots (start_tw, end_tw, built
  // directly: concatenation is associative) and the schedule; the moves need the rest.
  if (moves_) {
    c.prefix_tw.resize(n);
    c.suffix_tw.resize(n);
    c.arc_cost.resize(n);
    c.reverse_cost.resize(n);
    c.arc_distance.resize(n);
    c.arc_time.resize(n);
  }
  c.delivery.resize(n * D);
  c.pickup.resize(n * D);
  c.prefix_peak.resize(n * D);
  c.suffix_peak.resize(n * D);
  // Insertion mode where time never binds: no time-window data (nothing reads it), the gap costs
  // instead.
  const bool tw = moves_ || !time_free_;
  if (!moves_) rebuildGaps(c, r, route, tw);
  auto node = [&](uint32_t t) {
    const TimeWindow& w = p_.tw[p_.tw_first[t]];
    return TwSegment::node(p_.service[t], w.start, w.end);
  };
  for (size_t k = 0; k < n; ++k) {
    const uint32_t t = route[k];
    const int32_t l = static_cast<int32_t>(p_.location[t]);
    c.location[k] = l;
    const int64_t* del = &p_.delivery[size_t(t) * D];
    const int64_t* pick = &p_.pickup[size_t(t) * D];
    if (k == 0) {
      if (moves_) {
        c.prefix_tw[0] = node(t);
        c.arc_cost[0] = c.reverse_cost[0] = c.arc_distance[0] = c.arc_time[0] = 0;
      }
      for (uint32_t d = 0; d < D; ++d) c.delivery[d] = del[d], c.pickup[d] = pick[d], c.prefix_peak[d] = std::max(del[d], pick[d]);
      continue;
    }
    const int32_t before = c.location[k - 1];
    if (moves_) {
      const int64_t travel = type.travelTime(before, l);
      c.prefix_tw[k] = waymark::vrp::concat(c.prefix_tw[k - 1], node(t), travel);
      c.arc_time[k] = c.arc_time[k - 1] + travel;
      c.arc_cost[k] = c.arc_cost[k - 1] + type.travelCost(before, l);
      c.reverse_cost[k] = c.reverse_cost[k - 1] + type.travelCost(l, before);
      c.arc_distance[k] = c.arc_distance[k - 1] + type.travelDistance(before, l);
    }
    for (uint32_t d = 0; d < D; ++d) {
      const size_t i = k * D + d, h = (k - 1) * D + d;
      c.delivery[i] = c.delivery[h] + del[d];
      c.pickup[i] = c.pickup[h] + pick[d];
      // The tasks before carry this one's delivery; this one carries their pickups.
      c.prefix_peak[i] = std::max(c.prefix_peak[h] + del[d], std::max(del[d], pick[d]) + c.pickup[h]);
    }
  }
  c.start_cost = n && moves_ ? arcCost(type, p_.start[r], c.location[0]) : 0;
  c.end_cost = n && moves_ ? arcCost(type, c.location[n - 1], p_.end[r]) : 0;
  for (size_t k = n; k-- > 0;) {
    const uint32_t t = route[k];
    const int64_t* del = &p_.delivery[size_t(t) * D];
    const int64_t* pick = &p_.pickup[size_t(t) * D];
    if (k == n - 1) {
      if (moves_) c.suffix_tw[k] = node(t);
      for (uint32_t d = 0; d < D; ++d) c.suffix_peak[k * D + d] = std::max(del[d], pick[d]);
      continue;
    }
    if (moves_) c.suffix_tw[k] = waymark::vrp::concat(node(t), c.suffix_tw[k + 1], c.arc_time[k + 1] - c.arc_time[k]);
    for (uint32_t d = 0; d < D; ++d) {
      // Deliveries of tasks [k + 1, n): all of them minus those of [0, k + 1).
      const int64_t later_delivery = c.delivery[(n - 1) * D + d] - c.delivery[k * D + d];
      c.suffix_peak[k * D + d] = std::max(std::max(del[d], pick[d]) + later_delivery, c.suffix_peak[(k + 1) * D + d] + pick[d]);
    }
  }
  if (!moves_ && tw) {
    // The exact evaluation's schedule (one window per task where fast: service starts at
    // max(arrival, opening)); gap_time is 0 next to an open end, as the evaluation's arcs.
    c.departure.resize(n);
    int64_t time = p_.vtw[r].start;
    for (size_t k = 0; k < n; ++k) {
      const uint32_t t = route[k];
      time = std::max(time + c.gap_time[k], p_.tw[p_.tw_first[t]].start) + p_.service[t];
      c.departure[k] = time;
    }
    c.end_time = time + c.gap_time[n];
  }
  if (!moves_ && tw) {
    // The first task the schedule reaches after its window closed, and the latest arrivals.
    c.first_late = n;
    int64_t time = p_.vtw[r].start;
    for (size_t k = 0; k < n && c.first_late == n; ++k) {
      const TimeWindow& w = p_.tw[p_.tw_first[route[k]]];
      if (time + c.gap_time[k] > w.end) c.first_late = k;
      time = c.departure[k];
    }
    c.latest.resize(n);
    int64_t next = p_.vtw[r].end;
    for (size_t k = n; k-- > 0;) {
      const TimeWindow& w = p_.tw[p_.tw_first[route[k]]];
      const int64_t leave = next - p_.service[route[k]] - c.gap_time[k + 1];
      c.latest[k] = next = w.start <= leave ? std::min(w.end, leave) : kNever;
    }
  }
  return c;
}

bool RouteSegments::afterRemoval(const Solution& s, uint32_t v, RouteTotals& totals) {
  if (moves_ || time_free_ || !fast(v)) return false;
  const size_t n = s.routes[v].size();
  if (n == 0) return true;  // removeFromTotals made it the empty route's
  if (int64_t(n) > p_.max_tasks[v] || totals.travel_time > p_.max_travel_time[v] || totals.distance > p_.max_distance[v]) return false;
  const RouteData& c = data(s, v);
  const uint32_t D = p_.dims;
  for (uint32_t d = 0; d < D; ++d)
    if (c.prefix_peak[(n - 1) * D + d] > p_.capacity[size_t(v) * D + d]) return false;
  if (c.first_late < n || c.end_time > p_.vtw[v].end) return false;
  // No setup, no breaks: the time from the vehicle's start to the end is travel, service and waiting.
  totals.waiting = c.end_time - p_.vtw[v].start - totals.travel_time - totals.service;
  totals.feasible = true;
  return true;
}

void RouteSegments::patchSchedule(RouteData& c, uint32_t r, const std::vector<uint32_t>& route, size_t pre, size_t post, size_t m) {
  const size_t n = route.size();
  auto node = [&](uint32_t t) {
    if (!node_.empty()) return node_[t];
    const TimeWindow& w = p_.tw[p_.tw_first[t]];
    return TwSegment::node(p_.service[t], w.start, w.end);
  };
  c.departure.resize(n);
  if (m == 0) c.latest.clear();
  resizeKeepingTail(c.latest, n, post);
  // A late task among the shared start stays the first late one.
  if (m == 0 || c.first_late >= pre) c.first_late = n;
  int64_t time = pre ? c.departure[pre - 1] : p_.vtw[r].start;
  for (size_t k = pre; k < n; ++k) {
    const TwSegment x = node(route[k]);
    const int64_t arrival = time + c.gap_time[k];
    if (arrival > x.latest && c.first_late == n) c.first_late = k;
    time = std::max(arrival, x.earliest) + x.duration;
    c.departure[k] = time;
  }
  c.end_time = time + c.gap_time[n];
  int64_t next = n - post < n ? c.latest[n - post] : p_.vtw[r].end;
  for (size_t k = n - post; k-- > 0;) {
    const TwSegment x = node(route[k]);
    const int64_t leave = next - x.duration - c.gap_time[k + 1];
    c.latest[k] = next = x.earliest <= leave ? std::min(x.latest, leave) : kNever;
  }
}

void RouteSegments::rebuildGaps(RouteData& c, uint32_t r, const std::vector<uint32_t>& route, bool with_time) {
  const VehicleType& type = p_.typeOf(r);
  const size_t n = route.size();
  c.gap_cost.resize(n + 1);
  c.gap_time.resize(with_time ? n + 1 : 0);
  int32_t before = p_.start[r];
  for (size_t k = 0; k <= n; ++k) {
    const int32_t here = k < n ? static_cast<int32_t>(p_.location[route[k]]) : p_.end[r];
    c.gap_cost[k] = static_cast<int32_t>(arcCost(type, before, here));
    if (with_time) c.gap_time[k] = (before == kNone || here == kNone) ? 0 : static_cast<int32_t>(type.travelTime(before, here));
    before = here;
  }
}

SegmentSummary RouteSegments::range(const Solution& s, uint32_t r, uint32_t b, uint32_t e, bool reversed, uint32_t v) {
  if (b >= e) return {};
  const auto& route = s.routes[r];
  const uint32_t n = uint32_t(route.size());
  if (!reversed && p_.vehicle_type[r] == p_.vehicle_type[v] && (b == 0 || e == n)) {
    const RouteData& c = data(s, r);
    const uint32_t D = p_.dims;
    SegmentSummary x;
    x.count = e - b;
    x.first = c.location[b];
    x.last = c.location[e - 1];
    x.cost = c.arc_cost[e - 1] - c.arc_cost[b];
    x.distance = c.arc_distance[e - 1] - c.arc_distance[b];
    x.time = c.arc_time[e - 1] - c.arc_time[b];
    x.tw = b == 0 ? c.prefix_tw[e - 1] : c.suffix_tw[b];
    for (uint32_t d = 0; d < D; ++d) {
      const int64_t del_before = b == 0 ? 0 : c.delivery[(b - 1) * D + d], pick_before = b == 0 ? 0 : c.pickup[(b - 1) * D + d];
      x.delivery[d] = c.delivery[(e - 1) * D + d] - del_before;
      x.pickup[d] = c.pickup[(e - 1) * D + d] - pick_before;
      x.peak[d] = b == 0 ? c.prefix_peak[(e - 1) * D + d] : c.suffix_peak[b * D + d];
    }
    return x;
  }
  // A string in the middle, reversed, or on other matrices: task by task.
  SegmentSummary x;
  if (reversed)
    for (uint32_t k = e; k-- > b;) x = concat(x, task(route[k]), v);
  else
    for (uint32_t k = b; k < e; ++k) x = concat(x, task(route[k]), v);
  return x;
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

RouteSegments::OnTime RouteSegments::onTime(const Solution& s, uint32_t v, uint32_t x) {
  const RouteData& c = data(s, v);
  const uint32_t n = uint32_t(s.routes[v].size());
  const TimeWindow& w = p_.tw[p_.tw_first[x]];
  OnTime o;
  o.departure = c.departure.data();
  o.latest = c.latest.data();
  o.start = p_.vtw[v].start;
  o.end = p_.vtw[v].end;
  o.opening = w.start;
  o.service = p_.service[x];
  if (o.start > w.end) return o;  // x's window closes before the vehicle leaves
  // Both arrays are non-decreasing along the route (travel and service are never negative): before
  // `first` x cannot leave in time for the next task's latest arrival; after `last` the previous
  // task leaves after x's window closed (and after first_late the route is late already).
  o.first = boundIn(c.latest.data(), n, [key = w.start + o.service](int64_t y) { return y < key; });  // lower bound
  o.last = boundIn(c.departure.data(), n, [key = w.end](int64_t y) { return y <= key; });            // upper bound
  if (verify_ && (o.first != uint32_t(std::lower_bound(c.latest.begin(), c.latest.begin() + n, w.start + o.service) - c.latest.begin()) ||
                  o.last != uint32_t(std::upper_bound(c.departure.begin(), c.departure.begin() + n, w.end) - c.departure.begin())))
    throw Error("Internal", "a branchless bound disagrees with the standard library's");
  o.last = std::min<uint32_t>(o.last, uint32_t(std::min<size_t>(c.first_late, n)));
  return o;
}

bool RouteSegments::insertionFeasible(const Solution& s, uint32_t v, uint32_t i, uint32_t x, const int64_t* known) {
  const RouteData& c = data(s, v);
  const uint32_t n = uint32_t(s.routes[v].size()), D = p_.dims;
  // x's delivery rides through tasks [0, i), its pickup through [i, n). One dimension (the usual
  // case) with the loop unrolled by the compiler.
  auto fits = [&](auto dims) {
    const uint32_t DD = dims;
    for (uint32_t d = 0; d < DD; ++d) {
      const int64_t cap = p_.capacity[size_t(v) * DD + d], xd = p_.delivery[size_t(x) * DD + d], xp = p_.pickup[size_t(x) * DD + d];
      const int64_t all_delivery = n > 0 ? c.delivery[(n - 1) * DD + d] : 0;
      const int64_t delivery_before = i > 0 ? c.delivery[(i - 1) * DD + d] : 0, pickup_before = i > 0 ? c.pickup[(i - 1) * DD + d] : 0;
      const int64_t delivery_after = all_delivery - delivery_before;
      if (i > 0 && c.prefix_peak[(i - 1) * DD + d] + xd + delivery_after > cap) return false;
      if (std::max(xd, xp) + pickup_before + delivery_after > cap) return false;
      if (i < n && c.suffix_peak[size_t(i) * DD + d] + pickup_before + xp > cap) return false;
    }
    return true;
  };
  if (!(D == 1 ? fits(std::integral_constant<uint32_t, 1>{}) : fits(D))) return false;
  const VehicleType& type = p_.typeOf(v);
  const int32_t lx = static_cast<int32_t>(p_.location[x]), start = p_.start[v], end = p_.end[v];
  const int32_t a = i > 0 ? c.location[i - 1] : start, b = i < n ? c.location[i] : end;
  auto travel = [&](int32_t from, int32_t to) { return (from == kNone || to == kNone) ? int64_t(0) : type.travelTime(from, to); };
  auto dist = [&](int32_t from, int32_t to) { return (from == kNone || to == kNone) ? int64_t(0) : type.travelDistance(from, to); };
  // The route's travel time and distance, with x between a and b instead of the arc a -> b.
  const RouteTotals& totals = s.totals[v];
  if (limits_free_[v]) {
    // nothing to check
  } else if (n > 0) {
    if (totals.travel_time + (known ? known[0] + known[1] : travel(a, lx) + travel(lx, b)) - travel(a, b) > p_.max_travel_time[v]) return false;
    if (totals.distance + dist(a, lx) + dist(lx, b) - dist(a, b) > p_.max_distance[v]) return false;
  } else if ((known ? known[0] + known[1] : travel(a, lx) + travel(lx, b)) > p_.max_travel_time[v] || dist(a, lx) + dist(lx, b) > p_.max_distance[v]) {
    return false;
  }
  if (time_free_) return true;
  const TimeWindow& w = p_.tw[p_.tw_first[x]];
  if (moves_) {
    const TwSegment depot = TwSegment::node(0, p_.vtw[v].start, p_.vtw[v].end);
    TwSegment tw = i > 0 ? waymark::vrp::concat(depot, c.prefix_tw[i - 1], travel(start, c.location[0])) : depot;
    tw = waymark::vrp::concat(tw, TwSegment::node(p_.service[x], w.start, w.end), travel(a, lx));
    if (i < n) tw = waymark::vrp::concat(tw, c.suffix_tw[i], travel(lx, b));
    tw = waymark::vrp::concat(tw, depot, travel(i < n ? c.location[n - 1] : lx, end));
    return tw.timewarp == 0;
  }
  // The schedule before x (the tasks there all on time), x's window, and the latest arrival after it
  // that the rest of the route allows (with one window per task, as the time-window segments).
  if (c.first_late < i) return false;
  // The arc into x: from x's row of the transposed matrix (or of the matrix when symmetric).
  int64_t into = known ? known[0] : 0;
  if (!known && a != kNone) {
    const uint32_t k = p_.vehicle_type[v];
    const size_t L = type.locations;
    into = !duration_into_[k].empty() ? duration_into_[k][size_t(lx) * L + a]
           : duration_symmetric_[k]   ? type.duration[size_t(lx) * L + a]
                                      : type.duration[size_t(a) * L + lx];
  }
  const int64_t arrival = (i > 0 ? c.departure[i - 1] : p_.vtw[v].start) + into;
  if (arrival > w.end) return false;
  const int64_t after = i < n ? c.latest[i] : p_.vtw[v].end;
  return std::max(arrival, w.start) + p_.service[x] + (known ? known[1] : travel(lx, b)) <= after;
}

int64_t RouteSegments::endAfterInsertion(const Solution& s, uint32_t v, uint32_t i, uint32_t x, const int64_t* known) {
  const RouteData& c = data(s, v);
  const auto& route = s.routes[v];
  const uint32_t n = uint32_t(route.size());
  const VehicleType& type = p_.typeOf(v);
  const int32_t lx = static_cast<int32_t>(p_.location[x]);
  const int32_t a = i > 0 ? c.location[i - 1] : p_.start[v], b = i < n ? c.location[i] : p_.end[v];
  auto travel = [&](int32_t from, int32_t to) { return (from == kNone || to == kNone) ? int64_t(0) : type.travelTime(from, to); };
  int64_t time = (i > 0 ? c.departure[i - 1] : p_.vtw[v].start) + (known ? known[0] : travel(a, lx));
  time = std::max(time, p_.tw[p_.tw_first[x]].start) + p_.service[x] + (known ? known[1] : travel(lx, b));
  for (uint32_t k = i; k < n; ++k) {
    const uint32_t t = route[k];
    const int64_t departure = std::max(time, p_.tw[p_.tw_first[t]].start) + p_.service[t];
    // From here on every arrival is the old one.
    if (departure == c.departure[k]) return c.end_time;
    time = departure + c.gap_time[k + 1];
  }
  return time;
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
