#pragma once
// Time-window segment data (Vidal, Crainic, Gendreau, Prins 2013, "A hybrid genetic algorithm with
// adaptive diversity management for a large class of vehicle routing problems with time-windows"):
// a route segment is summarised by its duration, time warp and earliest/latest start, and two
// segments concatenate in O(1). With one time window per task (service must start inside it,
// waiting allowed) a route is feasible exactly when its concatenation has no time warp.
#include <algorithm>
#include <cstdint>

namespace waymark::vrp {

struct TwSegment {
  int64_t duration = 0;  // travel + service + waiting inside the segment
  int64_t timewarp = 0;
  int64_t earliest = 0;  // earliest start of service at the first node
  int64_t latest = 0;    // latest start of service at the first node

  static TwSegment node(int64_t service, int64_t open, int64_t close) { return {service, 0, open, close}; }
};

// a then b, with `travel` from a's last node to b's first.
inline TwSegment concat(const TwSegment& a, const TwSegment& b, int64_t travel) {
  const int64_t delta = a.duration - a.timewarp + travel;
  const int64_t wait = std::max<int64_t>(b.earliest - delta - a.latest, 0);
  const int64_t warp = std::max<int64_t>(a.earliest + delta - b.latest, 0);
  return {a.duration + b.duration + travel + wait, a.timewarp + b.timewarp + warp,
          std::max(b.earliest - delta, a.earliest) - wait, std::min(b.latest - delta, a.latest) + warp};
}

}  // namespace waymark::vrp
