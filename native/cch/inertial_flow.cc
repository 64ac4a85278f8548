#include "cch/inertial_flow.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace waymark {

namespace {

constexpr int32_t kInfinite = 1 << 30;

// Unit node capacities by node splitting: node v becomes in(v) -> out(v) with capacity 1; an edge
// {u, w} becomes out(u) -> in(w) and out(w) -> in(u), unbounded. The super source feeds in(s) of
// every source node, out(t) of every target node drains into the super sink.
//
// Interior nodes of the source set (all neighbours are sources too) are left out: the source
// reaches them and both their copies whatever the flow, so they are never cut and no augmenting
// path needs them. Likewise interior target nodes always drain and stay on the target side. The
// network holds the middle of the cell and the two boundaries only, and its minimum cut is the
// one of the full network.
class SplitFlowNetwork {
 public:
  // role: 0 = middle, 1 = source, 2 = target.
  SplitFlowNetwork(const PlanarGraph& g, std::span<const uint8_t> role) : k_(g.nodeCount()) {
    // Network ids: 0 = source, 1 = sink, then in/out pairs of the kept nodes.
    net_id_.assign(k_, kDropped);
    uint32_t kept = 0;
    for (uint32_t v = 0; v < k_; ++v) {
      bool interior = role[v] != 0;
      for (uint32_t i = g.first[v]; interior && i < g.first[v + 1]; ++i) interior = role[g.head[i]] == role[v];
      if (!interior) net_id_[v] = 2 + 2 * kept++;
    }
    const uint32_t nodes = 2 + 2 * kept;
    std::vector<uint32_t> degree(nodes + 1, 0);
    auto count = [&](uint32_t a, uint32_t b, int32_t) {
      degree[a]++;
      degree[b]++;
    };
    forEachArc(g, role, count);
    first_.assign(nodes + 1, 0);
    for (uint32_t x = 0; x < nodes; ++x) first_[x + 1] = first_[x] + degree[x];
    const uint32_t arcs = first_[nodes];
    head_.resize(arcs);
    capacity_.resize(arcs);
    reverse_.resize(arcs);
    std::vector<uint32_t> pos(first_.begin(), first_.end() - 1);
    auto add = [&](uint32_t a, uint32_t b, int32_t cap) {
      const uint32_t ia = pos[a]++, ib = pos[b]++;
      head_[ia] = b;
      capacity_[ia] = cap;
      reverse_[ia] = ib;
      head_[ib] = a;
      capacity_[ib] = 0;
      reverse_[ib] = ia;
    };
    forEachArc(g, role, add);
    level_.resize(nodes);
    next_arc_.resize(nodes);
  }

  // Maximum flow, then the side of every node in the minimum cut closest to the sources.
  NodeSeparator separate(std::span<const uint8_t> role) {
    // Dinic's phases, except that a path may end at any target: with shortest paths only, a phase
    // finds about one path on a road network (the distances from the source set to the target set
    // all differ), so the phases would be as many as the cut is large, each a search of the whole
    // network. The last search, which misses the sink, marks the nodes the source reaches.
    while (levelGraph()) blockingFlow();
    NodeSeparator result;
    result.side.assign(k_, CutSide::kTarget);
    for (uint32_t v = 0; v < k_; ++v) {
      const uint32_t id = net_id_[v];
      if (id == kDropped) {
        result.side[v] = role[v] == 1 ? CutSide::kSource : CutSide::kTarget;
      } else if (level_[id + 1] >= 0) {
        result.side[v] = CutSide::kSource;
      } else if (level_[id] >= 0) {
        result.side[v] = CutSide::kSeparator;
        result.separator_size++;
      }
    }
    return result;
  }

 private:
  static constexpr uint32_t kDropped = 0xFFFFFFFFu;
  static constexpr uint32_t kSource = 0, kSink = 1;

  // Calls arc(from, to, capacity) for every arc of the network.
  template <typename Arc>
  void forEachArc(const PlanarGraph& g, std::span<const uint8_t> role, Arc&& arc) const {
    for (uint32_t v = 0; v < k_; ++v) {
      const uint32_t id = net_id_[v];
      if (id == kDropped) continue;
      arc(id, id + 1, 1);
      if (role[v] == 1) arc(kSource, id, kInfinite);
      if (role[v] == 2) arc(id + 1, kSink, kInfinite);
      for (uint32_t i = g.first[v]; i < g.first[v + 1]; ++i) {
        const uint32_t w = net_id_[g.head[i]];
        // Arcs into dropped nodes lead into the source set's inside (useless) or the target set's
        // inside (whose nodes drain anyway: the boundary node already has its own sink arc).
        if (w != kDropped) arc(id + 1, w, kInfinite);
      }
    }
  }

  // Breadth-first levels from the source over the residual network; true if the sink is reached.
  // Unlike Dinic's, the search goes on past the sink: every node the source reaches gets a level.
  bool levelGraph() {
    std::fill(level_.begin(), level_.end(), -1);
    queue_.clear();
    queue_.push_back(kSource);
    level_[kSource] = 0;
    for (size_t q = 0; q < queue_.size(); ++q) {
      const uint32_t x = queue_[q];
      if (x == kSink) continue;
      for (uint32_t a = first_[x]; a < first_[x + 1]; ++a) {
        const uint32_t y = head_[a];
        if (capacity_[a] > 0 && level_[y] < 0) {
          level_[y] = level_[x] + 1;
          queue_.push_back(y);
        }
      }
    }
    return level_[kSink] >= 0;
  }

  // A blocking flow of paths that climb one level per arc and may enter the sink from any level
  // (iterative depth-first search, so long paths cannot overflow a stack). Returns the paths found.
  uint32_t blockingFlow() {
    std::copy(first_.begin(), first_.end() - 1, next_arc_.begin());
    path_.clear();
    uint32_t found = 0;
    uint32_t x = kSource;
    for (;;) {
      if (x == kSink) {
        int32_t bottleneck = kInfinite;
        for (uint32_t a : path_) bottleneck = std::min(bottleneck, capacity_[a]);
        for (uint32_t a : path_) {
          capacity_[a] -= bottleneck;
          capacity_[reverse_[a]] += bottleneck;
        }
        ++found;
        path_.clear();
        x = kSource;
        continue;
      }
      uint32_t& a = next_arc_[x];
      const uint32_t end = first_[x + 1];
      const int32_t next_level = level_[x] + 1;
      while (a < end && !(capacity_[a] > 0 && (head_[a] == kSink || level_[head_[a]] == next_level))) ++a;
      if (a == end) {
        if (x == kSource) return found;
        level_[x] = -1;  // dead end for the rest of this phase: augmenting only adds arcs down a level
        const uint32_t back = path_.back();
        path_.pop_back();
        x = head_[reverse_[back]];
        ++next_arc_[x];
        continue;
      }
      path_.push_back(a);
      x = head_[a];
    }
  }

  uint32_t k_;
  std::vector<uint32_t> net_id_;  // in-copy per cell node (out-copy = +1), or kDropped
  std::vector<uint32_t> first_, head_, reverse_, next_arc_, path_, queue_;
  std::vector<int32_t> capacity_, level_;
};

}  // namespace

NodeSeparator inertialFlowSeparator(const PlanarGraph& g, double balance) {
  const uint32_t k = g.nodeCount();
  const uint32_t end_size = std::max<uint32_t>(1, static_cast<uint32_t>(balance * k));
  std::vector<uint32_t> order(k);
  std::vector<double> key(k);
  std::vector<uint8_t> role(k);
  const double directions[4][2] = {{1, 0}, {0, 1}, {M_SQRT1_2, M_SQRT1_2}, {M_SQRT1_2, -M_SQRT1_2}};
  NodeSeparator best;
  double best_score = 0;
  for (const auto& d : directions) {
    for (uint32_t v = 0; v < k; ++v) key[v] = d[0] * g.x[v] + d[1] * g.y[v];
    std::iota(order.begin(), order.end(), 0u);
    auto less = [&](uint32_t a, uint32_t b) { return key[a] < key[b] || (key[a] == key[b] && a < b); };
    // Only the two ends need to be known, not the order inside them.
    std::nth_element(order.begin(), order.begin() + end_size, order.end(), less);
    std::nth_element(order.begin() + end_size, order.end() - end_size, order.end(), less);
    std::fill(role.begin(), role.end(), 0);
    for (uint32_t i = 0; i < end_size; ++i) {
      role[order[i]] = 1;
      role[order[k - 1 - i]] = 2;
    }
    SplitFlowNetwork network(g, role);
    NodeSeparator cut = network.separate(role);
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
