#pragma once
// Per-node search labels and a 4-ary min-heap over them (common/quaternary_heap.h), for
// Dijkstra-style searches on the hierarchy. A Label is any struct with `int64_t dist; uint32_t stamp; uint32_t heap_pos;` (plus
// whatever else the search keeps): keeping those in one record per node means a relaxation touches
// one cache line. Stamps make reuse between queries O(1).
#include <algorithm>
#include <cstdint>
#include <vector>

#include "common/quaternary_heap.h"

namespace waymark {

template <typename Label>
class LabelHeap {
 public:
  explicit LabelHeap(uint32_t n) : labels_(n, Label{}) {}

  void reset() {
    if (++current_ == 0) {
      for (auto& l : labels_) l.stamp = 0;
      current_ = 1;
    }
    heap_.clear();
  }
  bool reached(uint32_t v) const { return labels_[v].stamp == current_; }
  Label& label(uint32_t v) { return labels_[v]; }
  const Label& label(uint32_t v) const { return labels_[v]; }
  bool empty() const { return heap_.empty(); }
  int64_t minKey() const { return heap_.minKey(); }

  // Label of v for this search, freshly initialised (not yet queued) if v was not reached before.
  Label& touch(uint32_t v) {
    Label& l = labels_[v];
    if (l.stamp != current_) {
      l.stamp = current_;
      l.heap_pos = QuaternaryHeap::kNotQueued;
    }
    return l;
  }
  // Queues v with key (or lowers its key); a node already popped stays popped.
  void push(uint32_t v, int64_t key) { heap_.push(v, key, position()); }
  uint32_t pop(int64_t& key) {
    const QuaternaryHeap::Entry top = heap_.pop(position());
    key = top.key;
    return top.id;
  }

 private:
  auto position() {
    return [this](uint32_t v) -> uint32_t& { return labels_[v].heap_pos; };
  }

  std::vector<Label> labels_;
  QuaternaryHeap heap_;
  uint32_t current_ = 0;
};

}  // namespace waymark
