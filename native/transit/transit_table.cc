#include "transit/transit_table.h"

#include <algorithm>

#include "ch/ch_graph.h"
#include "common/error.h"

namespace waymark {

uint32_t transitCoreSize(uint32_t node_count) {
  const uint32_t k = std::min<uint32_t>(1024, node_count / 16);
  return k < 64 ? 0 : k;
}

TransitTable buildTransitTable(const CHGraph& ch, const CHQueryLayout& layout, uint32_t core_size) {
  TransitTable t;
  const uint32_t n = ch.nodeCount();
  const uint32_t k = core_size;
  if (k == 0 || k > n || k > kTransitDownHop) return t;
  const uint32_t first = n - k;
  // The core's arcs in core indices, per node: up arcs (to a higher node) and down arcs (stored at
  // the lower node, head = the higher tail of the original arc), each with weight and distance.
  struct Arc {
    uint32_t head;
    uint32_t weight;
    uint32_t cm;
  };
  std::vector<uint32_t> up_first(k + 1, 0), down_first(k + 1, 0);
  std::vector<Arc> up, down;
  for (uint32_t j = 0; j < k; ++j) {
    const uint32_t x = first + j;
    for (int side = 0; side < 2; ++side) {
      std::vector<Arc>& out = side == 0 ? up : down;
      const auto& distance = side == 0 ? ch.up_distance : ch.down_distance;
      for (uint32_t i = layout.first[2 * size_t(x) + side]; i < layout.first[2 * size_t(x) + side + 1]; ++i) {
        const CHQueryArc& a = layout.arcs[i];
        // Every arc of a core node leads higher, so into the core; anything else is a broken layout.
        if (a.head < first || a.head - first <= j) throw Error("Internal", "transit table: a core arc leaves the core");
        out.push_back({a.head - first, a.weight, distance[layout.origin[i]]});
      }
    }
    up_first[j + 1] = static_cast<uint32_t>(up.size());
    down_first[j + 1] = static_cast<uint32_t>(down.size());
  }
  t.duration_ms.assign(size_t(k) * k, kNoTransitPath);
  t.distance_cm.assign(size_t(k) * k, 0);
  t.last_hop.assign(size_t(k) * k, 0);
  constexpr int64_t kInf = INT64_MAX / 4;
  std::vector<int64_t> d(k), cm(k);
  std::vector<uint16_t> hop(k);
  for (uint32_t s = 0; s < k; ++s) {
    std::fill(d.begin(), d.end(), kInf);
    d[s] = 0;
    cm[s] = 0;
    hop[s] = static_cast<uint16_t>(s);
    // Up arcs go to higher ranks, so ascending rank order settles the upward search from s ...
    for (uint32_t v = s; v < k; ++v) {
      if (d[v] == kInf) continue;
      for (uint32_t i = up_first[v]; i < up_first[v + 1]; ++i)
        if (const Arc& a = up[i]; d[v] + a.weight < d[a.head]) {
          d[a.head] = d[v] + a.weight;
          cm[a.head] = cm[v] + a.cm;
          hop[a.head] = static_cast<uint16_t>(v);
        }
    }
    // ... and descending rank order takes every node down from the higher ones, final by then.
    for (uint32_t v = k; v-- > 0;)
      for (uint32_t i = down_first[v]; i < down_first[v + 1]; ++i)
        if (const Arc& a = down[i]; d[a.head] != kInf && d[a.head] + a.weight < d[v]) {
          d[v] = d[a.head] + a.weight;
          cm[v] = cm[a.head] + a.cm;
          hop[v] = static_cast<uint16_t>(a.head | kTransitDownHop);
        }
    const size_t row = size_t(s) * k;
    for (uint32_t v = 0; v < k; ++v) {
      if (d[v] == kInf) continue;
      // A path of 2^32 - 1 ms (49 days) or more: the searches handle it, a 32-bit table cannot.
      if (d[v] >= kNoTransitPath || cm[v] > 0xFFFFFFFFll) return TransitTable{};
      t.duration_ms[row + v] = static_cast<uint32_t>(d[v]);
      t.distance_cm[row + v] = static_cast<uint32_t>(cm[v]);
      t.last_hop[row + v] = hop[v];
    }
  }
  t.size = k;
  t.first = first;
  return t;
}

}  // namespace waymark
