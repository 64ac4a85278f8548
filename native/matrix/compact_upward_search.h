#pragma once
// The upward search of the matrix methods (buckets' backward and forward searches, RPHAST's source
// searches), with the same results as ch/upward_search.h (stall-on-demand, visit(node, ms, cm) for
// every settled, unstalled node) but laid out for the many small searches of a matrix on a big map:
// - labels live in a small open-addressing table (grown when a search outgrows it) instead of one
//   record per node of the map: a matrix search settles about a hundred nodes, and on region64
//   (2.15 M nodes, 69 MB of per-node labels) nearly every label it touched was a cache miss, and the
//   stall test reads a label per downward arc;
// - the arcs of the node to settle next are prefetched while the current one is relaxed;
// - without distances (kWithCm false) the distance arrays are not read.
#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "ch/ch_graph.h"
#include "ch/ch_query.h"
#include "common/quaternary_heap.h"

namespace waymark {

class CompactUpwardSearch {
 public:
  CompactUpwardSearch() { grow(kInitialCapacity); }
  uint64_t settled() const { return settled_; }  // nodes settled by every run so far

  // visit(hierarchy node, ms, cm) for every settled, unstalled node (cm is 0 without kWithCm).
  template <bool kWithCm, typename Visit>
  void run(const CHGraph& ch, bool forward, std::span<const SearchEndpoint> seeds, Visit&& visit) {
    clear();
    for (const SearchEndpoint& s : seeds) {
      const uint32_t node = ch.rank[s.node];
      const uint32_t i = find(node);
      if (i != kAbsent && table_[i].ms <= s.offset_ms) continue;
      const uint32_t at = i != kAbsent ? i : insert(node);
      table_[at].ms = s.offset_ms;
      table_[at].cm = s.offset_cm;
      push(at, s.offset_ms);
    }
    const uint32_t* first = (forward ? ch.up_first : ch.down_first).data();
    const uint32_t* head = (forward ? ch.up_head : ch.down_head).data();
    const uint32_t* weight = (forward ? ch.up_weight : ch.down_weight).data();
    const uint32_t* distance = (forward ? ch.up_distance : ch.down_distance).data();
    const uint32_t* stall_first = (forward ? ch.down_first : ch.up_first).data();
    const uint32_t* stall_head = (forward ? ch.down_head : ch.up_head).data();
    const uint32_t* stall_weight = (forward ? ch.down_weight : ch.up_weight).data();
    while (!heap_.empty()) {
      const uint32_t at = pop();
      const uint32_t u = table_[at].node;
      const int64_t d = table_[at].ms;
      ++settled_;
      // The next node to settle is most likely the heap's new top: its arcs start loading now.
      if (!heap_.empty()) {
        const uint32_t next = table_[heap_.minId()].node;
        __builtin_prefetch(head + first[next]);
        __builtin_prefetch(weight + first[next]);
        if constexpr (kWithCm) __builtin_prefetch(distance + first[next]);
        __builtin_prefetch(stall_head + stall_first[next]);
        __builtin_prefetch(stall_weight + stall_first[next]);
      }
      bool stalled = false;
      for (uint32_t i = stall_first[u], end = stall_first[u + 1]; i < end && !stalled; ++i) {
        const uint32_t x = find(stall_head[i]);
        stalled = x != kAbsent && table_[x].ms + stall_weight[i] < d;
      }
      if (stalled) continue;
      const int64_t cm = kWithCm ? table_[at].cm : 0;
      visit(u, d, cm);
      for (uint32_t i = first[u], end = first[u + 1]; i < end; ++i) {
        const uint32_t x = head[i];
        const int64_t nd = d + weight[i];
        uint32_t slot = find(x);
        if (slot != kAbsent) {
          if (table_[slot].ms <= nd) continue;
        } else {
          slot = insert(x);
          // Its arc offsets are read when it is settled.
          __builtin_prefetch(first + x);
          __builtin_prefetch(stall_first + x);
        }
        table_[slot].ms = nd;
        if constexpr (kWithCm) table_[slot].cm = cm + distance[i];
        push(slot, nd);
      }
    }
  }

 private:
  // A power of two; small, so that every matrix grows its tables (and the oracle tests cover it).
  static constexpr uint32_t kInitialCapacity = 64;
  static constexpr uint32_t kAbsent = 0xFFFFFFFFu;
  static constexpr uint32_t kEmpty = 0xFFFFFFFFu;      // Label::node of a free slot
  static constexpr uint32_t kPopped = QuaternaryHeap::kPopped;        // Label::heap_pos of a settled node
  static constexpr uint32_t kNotQueued = QuaternaryHeap::kNotQueued;  // Label::heap_pos of a node reached but not queued
  struct Label {
    uint32_t node;
    uint32_t heap_pos;
    int64_t ms;
    int64_t cm;
  };

  uint32_t slotOf(uint32_t node) const { return (node * 0x9E3779B1u) >> shift_; }
  uint32_t find(uint32_t node) const {
    for (uint32_t i = slotOf(node);; i = (i + 1) & mask_) {
      if (table_[i].node == node) return i;
      if (table_[i].node == kEmpty) return kAbsent;
    }
  }
  // A free slot for a node not in the table (a label of its own, not yet queued).
  uint32_t insert(uint32_t node) {
    if ((used_.size() + 1) * 2 > table_.size()) grow(static_cast<uint32_t>(table_.size()) * 2);
    uint32_t i = slotOf(node);
    while (table_[i].node != kEmpty) i = (i + 1) & mask_;
    table_[i] = {node, kNotQueued, 0, 0};
    used_.push_back(i);
    return i;
  }
  void clear() {
    for (uint32_t i : used_) table_[i].node = kEmpty;
    used_.clear();
    heap_.clear();
  }
  // Doubles the table (rehashing a search under way: the heap refers to slots).
  void grow(uint32_t capacity) {
    std::vector<Label> old;
    old.swap(table_);
    table_.assign(capacity, Label{kEmpty, kNotQueued, 0, 0});
    mask_ = capacity - 1;
    shift_ = 32 - static_cast<uint32_t>(__builtin_ctz(capacity));
    std::vector<uint32_t> old_used;
    old_used.swap(used_);
    for (uint32_t o : old_used) {
      uint32_t i = slotOf(old[o].node);
      while (table_[i].node != kEmpty) i = (i + 1) & mask_;
      table_[i] = old[o];
      used_.push_back(i);
      if (old[o].heap_pos != kPopped && old[o].heap_pos != kNotQueued) heap_.at(old[o].heap_pos).id = i;
    }
  }

  auto position() {
    return [this](uint32_t slot) -> uint32_t& { return table_[slot].heap_pos; };
  }
  void push(uint32_t slot, int64_t key) { heap_.push(slot, key, position()); }
  uint32_t pop() { return heap_.pop(position()).id; }

  std::vector<Label> table_;
  std::vector<uint32_t> used_;  // occupied slots
  QuaternaryHeap heap_;  // of slots
  uint32_t mask_ = 0, shift_ = 32;
  uint64_t settled_ = 0;
};

}  // namespace waymark
