#pragma once
// A 4-ary min-heap of (key, id) with decrease-key, for Dijkstra-style searches. Positions are kept
// per id in a vector sized to the graph, with a version stamp, so reuse between queries is O(1).
#include <cstdint>
#include <limits>
#include <vector>

namespace waymark {

template <typename Key>
class IndexedHeap {
 public:
  explicit IndexedHeap(uint32_t capacity) : pos_(capacity, 0), stamp_(capacity, 0) {}

  void clear() {
    heap_.clear();
    if (++current_ == 0) {
      std::fill(stamp_.begin(), stamp_.end(), 0);
      current_ = 1;
    }
  }
  bool empty() const { return heap_.empty(); }
  size_t size() const { return heap_.size(); }
  Key minKey() const { return heap_.front().key; }
  bool contains(uint32_t id) const { return stamp_[id] == current_ && pos_[id] != kPopped; }

  // Inserts id or lowers its key; ids already popped since clear() are ignored.
  void pushOrDecrease(uint32_t id, Key key) {
    if (stamp_[id] != current_) {
      stamp_[id] = current_;
      pos_[id] = static_cast<uint32_t>(heap_.size());
      heap_.push_back({key, id});
      siftUp(pos_[id]);
    } else if (pos_[id] != kPopped && key < heap_[pos_[id]].key) {
      heap_[pos_[id]].key = key;
      siftUp(pos_[id]);
    }
  }

  uint32_t pop(Key& key) {
    const Entry top = heap_.front();
    pos_[top.id] = kPopped;
    key = top.key;
    const Entry last = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) {
      heap_[0] = last;
      pos_[last.id] = 0;
      siftDown(0);
    }
    return top.id;
  }

 private:
  static constexpr uint32_t kPopped = std::numeric_limits<uint32_t>::max();
  struct Entry {
    Key key;
    uint32_t id;
  };
  void siftUp(uint32_t i) {
    const Entry e = heap_[i];
    while (i > 0) {
      const uint32_t parent = (i - 1) / 4;
      if (!(e.key < heap_[parent].key)) break;
      heap_[i] = heap_[parent];
      pos_[heap_[i].id] = i;
      i = parent;
    }
    heap_[i] = e;
    pos_[e.id] = i;
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
      pos_[heap_[i].id] = i;
      i = best;
    }
    heap_[i] = e;
    pos_[e.id] = i;
  }

  std::vector<Entry> heap_;
  std::vector<uint32_t> pos_;
  std::vector<uint32_t> stamp_;
  uint32_t current_ = 1;
};

}  // namespace waymark
