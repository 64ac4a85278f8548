#include "cch/nested_dissection.h"

#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

#include "common/parallel.h"

namespace waymark {

namespace {

struct Cell {
  std::vector<uint32_t> nodes;  // graph node ids
  uint32_t rank_begin;          // the cell's nodes get ranks rank_begin .. rank_begin + size - 1
};

class Dissection {
 public:
  Dissection(const PlanarGraph& g, const NestedDissectionOptions& o)
      : g_(g), options_(o), owner_(g.nodeCount()), local_(g.nodeCount()), order_(g.nodeCount()) {
    for (auto& x : owner_) x.store(0, std::memory_order_relaxed);
  }

  std::vector<uint32_t> run() {
    Cell all{std::vector<uint32_t>(g_.nodeCount()), 0};
    for (uint32_t v = 0; v < g_.nodeCount(); ++v) all.nodes[v] = v;
    pending_.push_back(std::move(all));
    const unsigned threads = options_.threads == 0 ? defaultThreadCount() : options_.threads;
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back([this] { work(); });
    work();
    for (auto& th : pool) th.join();
    if (error_) std::rethrow_exception(error_);
    return std::move(order_);
  }

 private:
  void work() {
    for (;;) {
      Cell cell;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return !pending_.empty() || active_ == 0 || error_; });
        if (pending_.empty() || error_) {
          wake_.notify_all();
          return;
        }
        cell = std::move(pending_.back());
        pending_.pop_back();
        ++active_;
      }
      std::vector<Cell> children;
      try {
        dissect(std::move(cell), children);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!error_) error_ = std::current_exception();
      }
      {
        std::lock_guard<std::mutex> lock(mutex_);
        for (Cell& c : children) pending_.push_back(std::move(c));
        --active_;
      }
      wake_.notify_all();
    }
  }

  void dissect(Cell cell, std::vector<Cell>& children) {
    const uint32_t k = static_cast<uint32_t>(cell.nodes.size());
    if (k == 0) return;
    const uint32_t id = next_id_.fetch_add(1) + 1;
    for (uint32_t i = 0; i < k; ++i) {
      owner_[cell.nodes[i]].store(id, std::memory_order_relaxed);
      local_[cell.nodes[i]] = i;
    }
    // The cell's own graph, in local ids.
    std::vector<uint32_t> first(k + 1, 0), head;
    for (uint32_t i = 0; i < k; ++i) {
      const uint32_t v = cell.nodes[i];
      for (uint32_t a = g_.first[v]; a < g_.first[v + 1]; ++a)
        if (owner_[g_.head[a]].load(std::memory_order_relaxed) == id) head.push_back(local_[g_.head[a]]);
      first[i + 1] = static_cast<uint32_t>(head.size());
    }
    // Connected components are ordered one after the other.
    std::vector<uint32_t> component(k, UINT32_MAX), queue;
    uint32_t components = 0;
    for (uint32_t s = 0; s < k; ++s) {
      if (component[s] != UINT32_MAX) continue;
      component[s] = components;
      queue.assign(1, s);
      for (size_t q = 0; q < queue.size(); ++q)
        for (uint32_t a = first[queue[q]]; a < first[queue[q] + 1]; ++a)
          if (component[head[a]] == UINT32_MAX) {
            component[head[a]] = components;
            queue.push_back(head[a]);
          }
      ++components;
    }
    if (components > 1) {
      std::vector<Cell> parts(components);
      for (uint32_t i = 0; i < k; ++i) parts[component[i]].nodes.push_back(cell.nodes[i]);
      uint32_t rank = cell.rank_begin;
      for (Cell& p : parts) {
        p.rank_begin = rank;
        rank += static_cast<uint32_t>(p.nodes.size());
        children.push_back(std::move(p));
      }
      return;
    }
    if (k <= std::max<uint32_t>(options_.leaf_size, 3)) {
      for (uint32_t i = 0; i < k; ++i) order_[cell.rank_begin + i] = cell.nodes[i];
      return;
    }
    std::vector<double> x(k), y(k);
    for (uint32_t i = 0; i < k; ++i) {
      x[i] = g_.x[cell.nodes[i]];
      y[i] = g_.y[cell.nodes[i]];
    }
    const NodeSeparator cut = inertialFlowSeparator(PlanarGraph{first, head, x, y}, options_.balance);
    Cell source_side, target_side;
    std::vector<uint32_t> separator;
    for (uint32_t i = 0; i < k; ++i) {
      switch (cut.side[i]) {
        case CutSide::kSource: source_side.nodes.push_back(cell.nodes[i]); break;
        case CutSide::kTarget: target_side.nodes.push_back(cell.nodes[i]); break;
        case CutSide::kSeparator: separator.push_back(cell.nodes[i]); break;
      }
    }
    source_side.rank_begin = cell.rank_begin;
    target_side.rank_begin = cell.rank_begin + static_cast<uint32_t>(source_side.nodes.size());
    const uint32_t separator_begin = cell.rank_begin + k - static_cast<uint32_t>(separator.size());
    for (size_t i = 0; i < separator.size(); ++i) order_[separator_begin + i] = separator[i];
    children.push_back(std::move(source_side));
    children.push_back(std::move(target_side));
  }

  const PlanarGraph& g_;
  const NestedDissectionOptions& options_;
  std::vector<std::atomic<uint32_t>> owner_;  // cell id per node: cells being split concurrently are disjoint
  std::vector<uint32_t> local_;
  std::vector<uint32_t> order_;
  std::atomic<uint32_t> next_id_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Cell> pending_;
  unsigned active_ = 0;
  std::exception_ptr error_;
};

}  // namespace

std::vector<uint32_t> nestedDissectionOrder(const PlanarGraph& g, const NestedDissectionOptions& options) {
  return Dissection(g, options).run();
}

}  // namespace waymark
