#pragma once
// Per-node search labels and a 4-ary min-heap over them, for Dijkstra-style searches on the
// hierarchy. A Label is any struct with `int64_t dist; uint32_t stamp; uint32_t heap_pos;` (plus
// whatever else the search keeps): keeping those in one record per node means a relaxation touches
// one cache line. Stamps make reuse between queries O(1).
#include <algorithm>
#include <cstdint>
#include <vector>

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
  int64_t minKey() const { return heap_.front().key; }

  // Label of v for this search, freshly initialised (not yet queued) if v was not reached before.
  Label& touch(uint32_t v) {
    Label& l = labels_[v];
    if (l.stamp != current_) {
      l.stamp = current_;
      l.heap_pos = kNotQueued;
    }
    return l;
  }
  // Queues v with key (or lowers its key); a node already popped stays popped.
  void push(uint32_t v, int64_t key) {
    Label& l = labels_[v];
    if (l.heap_pos == kPopped) return;
    if (l.heap_pos != kNotQueued) {
      if (key < heap_[l.heap_pos].key) {
        heap_[l.heap_pos].key = key;
        siftUp(l.heap_pos);
      }
      return;
    }
    l.heap_pos = static_cast<uint32_t>(heap_.size());
    heap_.push_back({key, v});
    siftUp(l.heap_pos);
  }
  uint32_t pop(int64_t& key) {
    const Entry top = heap_.front();
    labels_[top.node].heap_pos = kPopped;
    key = top.key;
    const Entry last = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) {
      heap_[0] = last;
      labels_[last.node].heap_pos = 0;
      siftDown(0);
    }
    return top.node;
  }

 private:
  static constexpr uint32_t kPopped = 0xFFFFFFFFu;
  static constexpr uint32_t kNotQueued = 0xFFFFFFFEu;
  struct Entry {
    int64_t key;
    uint32_t node;
  };
  void siftUp(uint32_t i) {
    const Entry e = heap_[i];
    while (i > 0) {
      const uint32_t parent = (i - 1) / 4;
      if (!(e.key < heap_[parent].key)) break;
      heap_[i] = heap_[parent];
      labels_[heap_[i].node].heap_pos = i;
      i = parent;
    }
    heap_[i] = e;
    labels_[e.node].heap_pos = i;
  }
  void siftDown(uint32_t i) {
    const Entry e = heap_[i];
    const uint32_t n = static_cast<uint32_t>(heap_.size());
    for (;;) {
      const uint32_t first = i * 4 + 1;
      if (first >= n) break;
      uint32_t best = first;
      const uint32_t end = std::min(first + 4, n);
      for (uint32_t c = first + 1; c < end; ++c)
        if (heap_[c].key < heap_[best].key) best = c;
      if (!(heap_[best].key < e.key)) break;
      heap_[i] = heap_[best];
      labels_[heap_[i].node].heap_pos = i;
      i = best;
    }
    heap_[i] = e;
    labels_[e.node].heap_pos = i;
  }

  std::vector<Label> labels_;
  std::vector<Entry> heap_;
  uint32_t current_ = 0;
};

}  // namespace waymark
