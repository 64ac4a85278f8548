// Or-opt: move a string of 2 or 3 consecutive jobs (as is or reversed) next to a neighbour of its
// first job, within or across routes.
#include <algorithm>

#include "vrp/algorithms/moves.h"

namespace waymark::vrp {

bool orOpt(const Problem& p, Solution& s, const Neighbors& nb, MoveScratch& m) {
  std::vector<uint32_t> segment;
  const uint32_t T = p.taskCount();
  for (uint32_t step = 0; step < T; ++step) {
    const uint32_t t = m.task(step, T);
    if (m.skip(t)) continue;
    if (s.route_of[t] == kNone) continue;
    if (m.expired()) return false;
    const uint32_t va = static_cast<uint32_t>(s.route_of[t]);
    const auto& A = s.routes[va];
    const int64_t i = indexOf(A, t);
    for (int64_t len = 2; len <= 3; ++len) {
      if (i + len > int64_t(A.size())) break;
      segment.assign(A.begin() + i, A.begin() + i + len);
      for (uint32_t k = 0; k < nb.k; ++k) {
        const uint32_t u = nb.of(t)[k];
        if (s.route_of[u] == kNone || std::find(segment.begin(), segment.end(), u) != segment.end()) continue;
        const uint32_t vb = static_cast<uint32_t>(s.route_of[u]);
        for (int reversed = 0; reversed < 2; ++reversed) {
          std::vector<uint32_t> seg = segment;
          if (reversed) std::reverse(seg.begin(), seg.end());
          m.a = A;
          m.a.erase(m.a.begin() + i, m.a.begin() + i + len);
          // The segment's first job goes right after u.
          if (va == vb) {
            const int64_t j = indexOf(m.a, u) + 1;
            m.a.insert(m.a.begin() + j, seg.begin(), seg.end());
            if (m.a != A && tryReplace(p, s, m, va, m.a, kNone, nullptr)) {
              m.cursor = t;
              return true;
            }
          } else {
            m.b = s.routes[vb];
            const int64_t j = indexOf(m.b, u) + 1;
            m.b.insert(m.b.begin() + j, seg.begin(), seg.end());
            if (tryReplace(p, s, m, va, m.a, int32_t(vb), &m.b)) {
              m.cursor = t;
              return true;
            }
          }
        }
      }
    }
  }
  return false;
}

}  // namespace waymark::vrp
