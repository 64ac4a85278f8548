#pragma once
// A 4-ary min-heap of (key, id) for Dijkstra-style searches whose labels remember where their entry
// sits, so that a key can be lowered in place. The caller says where an id's position lives
// (pos(id) returns a uint32_t&): labels kept one per node (ch/label_heap.h) and labels kept in a
// hash table (matrix/compact_upward_search.h) share this heap. Four children per node: a sift-down
// reads one cache line of children, and the heap is half as deep as a binary one.
#include <algorithm>
#include <cstdint>
#include <vector>

namespace waymark {

class QuaternaryHeap {
 public:
  static constexpr uint32_t kPopped = 0xFFFFFFFFu;     // position of an id already popped
  static constexpr uint32_t kNotQueued = 0xFFFFFFFEu;  // position of an id reached but not queued
  struct Entry {
    int64_t key;
    uint32_t id;
  };

  bool empty() const { return heap_.empty(); }
  void clear() { heap_.clear(); }
  int64_t minKey() const { return heap_.front().key; }
  uint32_t minId() const { return heap_.front().id; }
  // The entry at a position, for callers that move their labels (a hash table's rehash).
  Entry& at(uint32_t position) { return heap_[position]; }

  // Queues id with key, or lowers its key; an id already popped stays popped.
  template <typename Pos>
  void push(uint32_t id, int64_t key, Pos&& pos) {
    uint32_t& p = pos(id);
    if (p == kPopped) return;
    if (p != kNotQueued) {
      if (key < heap_[p].key) {
        heap_[p].key = key;
        siftUp(p, pos);
      }
      return;
    }
    p = static_cast<uint32_t>(heap_.size());
    heap_.push_back({key, id});
    siftUp(p, pos);
  }
  // Removes and returns the entry with the smallest key; its id's position becomes kPopped.
  template <typename Pos>
  Entry pop(Pos&& pos) {
    const Entry top = heap_.front();
    pos(top.id) = kPopped;
    const Entry last = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) {
      heap_[0] = last;
      pos(last.id) = 0;
      siftDown(0, pos);
    }
    return top;
  }

 private:
  template <typename Pos>
  void siftUp(uint32_t i, Pos& pos) {
    const Entry e = heap_[i];
    while (i > 0) {
      const uint32_t parent = (i - 1) / 4;
      if (!(e.key < heap_[parent].key)) break;
      heap_[i] = heap_[parent];
      pos(heap_[i].id) = i;
      i = parent;
    }
    heap_[i] = e;
    pos(e.id) = i;
  }
  template <typename Pos>
  void siftDown(uint32_t i, Pos& pos) {
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
      pos(heap_[i].id) = i;
      i = best;
    }
    heap_[i] = e;
    pos(e.id) = i;
  }

  std::vector<Entry> heap_;
};

}  // namespace waymark
