#include "cch/inertial_flow.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace waymark {

namespace {

constexpr int32_t kInfinite = 1 << 30;

// Unit node capacities by node splitting: node v becomes in(v) = 2v -> out(v) = 2v + 1 with
// capacity 1; an edge {u, w} becomes out(u) -> in(w) and out(w) -> in(u), unbounded. The super
// source feeds in(s) of every source node, out(t) of every target node drains into the super sink;
// those arcs exist for every node and are opened (unbounded) only for the current direction's sets.
class SplitFlowNetwork {
 public:
  explicit SplitFlowNetwork(const PlanarGraph& g) : k_(g.nodeCount()), source_(2 * k_), sink_(2 * k_ + 1) {
    const uint32_t nodes = 2 * k_ + 2;
    std::vector<uint32_t> degree(nodes + 1, 0);
    for (uint32_t v = 0; v < k_; ++v) {
      degree[in(v)] += 2;  // split arc, reverse of the source arc
      degree[out(v)] += 2; // reverse of the split arc, sink arc
      for (uint32_t i = g.first[v]; i < g.first[v + 1]; ++i) {
        degree[out(v)]++;
        degree[in(g.head[i])]++;
      }
    }
    degree[source_] = k_;
    degree[sink_] = k_;
    first_.assign(nodes + 1, 0);
    for (uint32_t x = 0; x < nodes; ++x) first_[x + 1] = first_[x] + degree[x];
    const uint32_t arcs = first_[nodes];
    head_.resize(arcs);
    base_capacity_.resize(arcs);
    reverse_.resize(arcs);
    std::vector<uint32_t> pos(first_.begin(), first_.end() - 1);
    auto add = [&](uint32_t a, uint32_t b, int32_t cap) {
      const uint32_t ia = pos[a]++, ib = pos[b]++;
      head_[ia] = b;
      base_capacity_[ia] = cap;
      reverse_[ia] = ib;
      head_[ib] = a;
      base_capacity_[ib] = 0;
      reverse_[ib] = ia;
    };
    source_arc_.resize(k_);
    sink_arc_.resize(k_);
    for (uint32_t v = 0; v < k_; ++v) {
      add(in(v), out(v), 1);
      source_arc_[v] = pos[source_];
      add(source_, in(v), 0);
      sink_arc_[v] = pos[out(v)];
      add(out(v), sink_, 0);
      for (uint32_t i = g.first[v]; i < g.first[v + 1]; ++i) add(out(v), in(g.head[i]), kInfinite);
    }
    capacity_.resize(arcs);
    level_.resize(nodes);
    next_arc_.resize(nodes);
  }

  // Maximum flow from `sources` to `targets`; returns the side of every node in the minimum cut.
  NodeSeparator separate(std::span<const uint32_t> sources, std::span<const uint32_t> targets) {
    capacity_ = base_capacity_;
    for (uint32_t s : sources) capacity_[source_arc_[s]] = kInfinite;
    for (uint32_t t : targets) capacity_[sink_arc_[t]] = kInfinite;
    while (levelGraph()) blockingFlow();
    // Nodes whose in-copy the source still reaches but whose out-copy it does not are the cut.
    NodeSeparator result;
    result.side.assign(k_, CutSide::kTarget);
    for (uint32_t v = 0; v < k_; ++v) {
      if (level_[out(v)] >= 0) {
        result.side[v] = CutSide::kSource;
      } else if (level_[in(v)] >= 0) {
        result.side[v] = CutSide::kSeparator;
        result.separator_size++;
      }
    }
    return result;
  }

 private:
  uint32_t in(uint32_t v) const { return 2 * v; }
  uint32_t out(uint32_t v) const { return 2 * v + 1; }

  // BFS levels over the residual graph; true if the sink is reachable. Nodes beyond the sink's
  // level are on no shortest augmenting path, so the search stops there. After the last phase
  // (sink unreachable) the levels mark exactly the nodes the source reaches.
  bool levelGraph() {
    std::fill(level_.begin(), level_.end(), -1);
    queue_.clear();
    queue_.push_back(source_);
    level_[source_] = 0;
    for (size_t q = 0; q < queue_.size(); ++q) {
      const uint32_t x = queue_[q];
      if (level_[sink_] >= 0 && level_[x] >= level_[sink_]) break;
      for (uint32_t a = first_[x]; a < first_[x + 1]; ++a) {
        const uint32_t y = head_[a];
        if (capacity_[a] > 0 && level_[y] < 0) {
          level_[y] = level_[x] + 1;
          queue_.push_back(y);
        }
      }
    }
    return level_[sink_] >= 0;
  }

  // Augmenting paths along the level graph (iterative DFS, so long paths cannot overflow a stack).
  void blockingFlow() {
    std::copy(first_.begin(), first_.end() - 1, next_arc_.begin());
    std::vector<uint32_t>& path = path_;
    path.clear();
    uint32_t x = source_;
    for (;;) {
      if (x == sink_) {
        int32_t bottleneck = kInfinite;
        for (uint32_t a : path) bottleneck = std::min(bottleneck, capacity_[a]);
        for (uint32_t a : path) {
          capacity_[a] -= bottleneck;
          capacity_[reverse_[a]] += bottleneck;
        }
        path.clear();
        x = source_;
        continue;
      }
      uint32_t& a = next_arc_[x];
      while (a < first_[x + 1] && !(capacity_[a] > 0 && level_[head_[a]] == level_[x] + 1)) ++a;
      if (a == first_[x + 1]) {
        if (x == source_) return;
        level_[x] = -1;  // dead end for the rest of this phase
        const uint32_t back = path.back();
        path.pop_back();
        x = head_[reverse_[back]];
        ++next_arc_[x];
        continue;
      }
      path.push_back(a);
      x = head_[a];
    }
  }

  uint32_t k_, source_, sink_;
  std::vector<uint32_t> first_, head_, reverse_, source_arc_, sink_arc_, next_arc_, queue_, path_;
  std::vector<int32_t> base_capacity_, capacity_, level_;
};

}  // namespace

NodeSeparator inertialFlowSeparator(const PlanarGraph& g, double balance) {
  const uint32_t k = g.nodeCount();
  SplitFlowNetwork network(g);
  const uint32_t end_size = std::max<uint32_t>(1, static_cast<uint32_t>(balance * k));
  std::vector<uint32_t> order(k);
  std::vector<double> key(k);
  const double directions[4][2] = {{1, 0}, {0, 1}, {M_SQRT1_2, M_SQRT1_2}, {M_SQRT1_2, -M_SQRT1_2}};
  NodeSeparator best;
  double best_score = 0;
  for (const auto& d : directions) {
    for (uint32_t v = 0; v < k; ++v) key[v] = d[0] * g.x[v] + d[1] * g.y[v];
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return key[a] < key[b] || (key[a] == key[b] && a < b); });
    NodeSeparator cut = network.separate(std::span(order).first(end_size), std::span(order).last(end_size));
    uint32_t source_side = 0;
    for (CutSide s : cut.side) source_side += s == CutSide::kSource;
    const uint32_t target_side = k - source_side - cut.separator_size;
    // Small separators first; among equal ones, the more balanced.
    const double score = cut.separator_size + 1e-3 * (1.0 - double(std::min(source_side, target_side)) / k);
    if (best.side.empty() || score < best_score) {
      best = std::move(cut);
      best_score = score;
    }
  }
  return best;
}

}  // namespace waymark
