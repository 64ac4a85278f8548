#pragma once
// One upward search on the hierarchy (forward: up graph; backward: down graph) with stall-on-demand,
// calling visit(node, dist_ms, dist_cm) for every settled, unstalled node. The building block of
// bucket-based many-to-many. Seeds are input nodes (segments) with offsets, as in CHQuery.
// With a duration bound, every node of a shortest up-down path of cost <= bound is still settled
// with its exact label on one side, so bucket many-to-many over bounded searches (map matching)
// finds exactly the paths within the bound.
#include <limits>
#include <span>

#include "ch/ch_graph.h"
#include "ch/ch_query.h"
#include "ch/label_heap.h"

namespace waymark {

class UpwardSearch {
 public:
  explicit UpwardSearch(uint32_t node_count) : heap_(node_count) {}
  uint64_t settled() const { return settled_; }  // nodes settled by every run so far

  template <typename Visit>
  void run(const CHGraph& ch, bool forward, std::span<const SearchEndpoint> seeds, Visit&& visit) {
    run(ch, forward, seeds, std::numeric_limits<int64_t>::max(), visit);
  }
  // visit(hierarchy node, ms, cm) for every settled, unstalled node with ms <= bound_ms.
  template <typename Visit>
  void run(const CHGraph& ch, bool forward, std::span<const SearchEndpoint> seeds, int64_t bound_ms, Visit&& visit) {
    heap_.reset();
    for (const SearchEndpoint& s : seeds) {
      const uint32_t node = ch.rank[s.node];
      if (heap_.reached(node) && heap_.label(node).dist <= s.offset_ms) continue;
      Label& l = heap_.touch(node);
      l.dist = s.offset_ms;
      l.cm = s.offset_cm;
      heap_.push(node, s.offset_ms);
    }
    const auto& first = forward ? ch.up_first : ch.down_first;
    const auto& head = forward ? ch.up_head : ch.down_head;
    const auto& weight = forward ? ch.up_weight : ch.down_weight;
    const auto& distance = forward ? ch.up_distance : ch.down_distance;
    const auto& stall_first = forward ? ch.down_first : ch.up_first;
    const auto& stall_head = forward ? ch.down_head : ch.up_head;
    const auto& stall_weight = forward ? ch.down_weight : ch.up_weight;
    while (!heap_.empty()) {
      if (heap_.minKey() > bound_ms) break;
      int64_t d;
      const uint32_t u = heap_.pop(d);
      ++settled_;
      bool stalled = false;
      for (uint32_t i = stall_first[u]; i < stall_first[u + 1] && !stalled; ++i) {
        const uint32_t x = stall_head[i];
        stalled = heap_.reached(x) && heap_.label(x).dist + stall_weight[i] < d;
      }
      if (stalled) continue;
      const int64_t cm = heap_.label(u).cm;
      visit(u, d, cm);
      for (uint32_t i = first[u]; i < first[u + 1]; ++i) {
        const uint32_t x = head[i];
        const int64_t nd = d + weight[i];
        if (nd > bound_ms || (heap_.reached(x) && heap_.label(x).dist <= nd)) continue;
        Label& l = heap_.touch(x);
        l.dist = nd;
        l.cm = cm + distance[i];
        heap_.push(x, nd);
      }
    }
  }

 private:
  struct Label {
    int64_t dist;
    int64_t cm;
    uint32_t stamp;
    uint32_t heap_pos;
  };
  LabelHeap<Label> heap_;
  uint64_t settled_ = 0;
};

}  // namespace waymark
