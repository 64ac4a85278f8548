#include "cch/customize.h"

#include <algorithm>

#include "common/error.h"
#include "common/huge_pages.h"
#include "common/parallel.h"

namespace waymark {

namespace {

constexpr uint32_t kNoSlot = 0xFFFFFFFFu;
constexpr uint32_t kMaxDistance = 0xFFFFFFFEu;
constexpr uint32_t kDropped = 0xFFFFFFFEu;  // middle of an arc perfect customization found a cheaper way around

// One direction of one CCH arc.
struct Cost {
  uint32_t weight = kNotAllowed;
  uint32_t distance = 0;
  uint32_t middle = kNoMiddle;
};

// Both directions of an arc side by side: every triangle reads or writes both.
struct ArcCost {
  Cost up, down;
};

// The cheaper of target and a + b (ties: the shorter), remembering the triangle's middle node.
// Sums are taken in 64 bits; kNotAllowed or more is closed.
inline void relax(Cost& target, const Cost& a, const Cost& b, uint32_t middle) {
  if (a.weight == kNotAllowed || b.weight == kNotAllowed) return;
  const uint64_t w = uint64_t(a.weight) + b.weight;
  if (w >= kNotAllowed || w > target.weight) return;
  const uint32_t d = static_cast<uint32_t>(std::min<uint64_t>(uint64_t(a.distance) + b.distance, kMaxDistance));
  if (w < target.weight || d < target.distance) target = {static_cast<uint32_t>(w), d, middle};
}

// Perfect customization: weight only; an arc that gets strictly cheaper is no shortest path itself.
inline void relaxPerfect(Cost& target, const Cost& a, const Cost& b) {
  if (a.weight == kNotAllowed || b.weight == kNotAllowed) return;
  const uint64_t w = uint64_t(a.weight) + b.weight;
  if (w < target.weight) {
    target.weight = static_cast<uint32_t>(w);
    target.middle = kDropped;
  }
}

[[noreturn]] void notChordal() {
  throw Error("MapCorrupt", "the customizable hierarchy is not chordal: a triangle misses an arc");
}

// Nodes grouped by level (counting sort), levels in the order given.
struct Levels {
  std::vector<uint32_t> first, nodes;
};

class Customizer {
 public:
  Customizer(const CCHTopology& t, unsigned threads, const CustomizeTuning& tuning)
      : t_(t), threads_(threads), tuning_(tuning), slots_(threads) {}

  void run(std::span<const uint32_t> arc_weight, std::span<const uint32_t> arc_distance, bool perfect) {
    const uint32_t m = t_.arcCount();
    reserveHugePages(arcs_, m);
    arcs_.assign(m, ArcCost{});
    // Input arcs: the cheapest turn between two segments in each direction.
    for (size_t i = 0; i < t_.turn_arc.size(); ++i) {
      const uint32_t code = t_.turn_arc[i];
      if (code == kNoCCHArc || arc_weight[i] == kNotAllowed) continue;
      Cost& c = code % 2 == 0 ? arcs_[code / 2].up : arcs_[code / 2].down;
      const Cost in{arc_weight[i], arc_distance[i], kNoMiddle};
      if (in.weight < c.weight || (in.weight == c.weight && in.distance < c.distance)) c = in;
    }
    schedule();
    // Basic customization, bottom up: a node's arcs are final once its descendants' are. Subtrees
    // of the elimination tree are independent (one task each, nodes in rank order); above them,
    // nodes of equal height are customized at once.
    auto lower = [this](uint32_t u, std::vector<uint32_t>& slot) { lowerTriangles(u, slot); };
    forEachTask(false, lower);
    for (size_t l = 0; l + 1 < top_by_height_.first.size(); ++l) {
      if (levelSize(top_by_height_, l) == 1 && splits(top_by_height_.nodes[top_by_height_.first[l]]))
        lowerTrianglesSplit(top_by_height_.nodes[top_by_height_.first[l]]);
      else
        forEachInLevel(top_by_height_, l, lower);
    }
    if (!perfect) return;
    // Perfect customization, top down: node x relaxes the arcs of its lower neighbours (all in its
    // subtree), so nodes of equal depth touch disjoint arcs, and so do the subtrees.
    auto upper = [this](uint32_t x, std::vector<uint32_t>& slot) { upperTriangles(x, slot); };
    for (size_t l = 0; l + 1 < top_by_depth_.first.size(); ++l) {
      if (levelSize(top_by_depth_, l) == 1 && splits(top_by_depth_.nodes[top_by_depth_.first[l]]))
        upperTrianglesSplit(top_by_depth_.nodes[top_by_depth_.first[l]]);
      else
        forEachInLevel(top_by_depth_, l, upper);
    }
    forEachTask(true, upper);
  }

  ContractionHierarchy result() const {
    const uint32_t n = t_.nodeCount();
    ContractionHierarchy ch;
    auto emit = [&](bool down, std::vector<uint32_t>& first, std::vector<uint32_t>& head,
                    std::vector<uint32_t>& weight, std::vector<uint32_t>& distance, std::vector<uint32_t>& middle) {
      size_t kept = 0;
      for (const ArcCost& a : arcs_) {
        const Cost& c = down ? a.down : a.up;
        kept += c.weight != kNotAllowed && c.middle != kDropped;
      }
      first.resize(n + 1);
      // Reserved, not resized: zero-filling 17 M entries first would cost as much as writing them.
      for (std::vector<uint32_t>* v : {&head, &weight, &distance, &middle}) reserveHugePages(*v, kept);
      first[0] = 0;
      for (uint32_t u = 0; u < n; ++u) {
        for (uint32_t a = t_.up_first[u]; a < t_.up_first[u + 1]; ++a) {
          const Cost& c = down ? arcs_[a].down : arcs_[a].up;
          if (c.weight == kNotAllowed || c.middle == kDropped) continue;
          head.push_back(t_.up_head[a]);
          weight.push_back(c.weight);
          distance.push_back(c.distance);
          middle.push_back(c.middle);
        }
        first[u + 1] = static_cast<uint32_t>(head.size());
      }
    };
    // The two directions are independent, and so are the copies of the order.
    parallelFor(3, std::min(threads_, 3u), [&](uint64_t i, unsigned) {
      if (i == 0) emit(false, ch.up_first, ch.up_head, ch.up_weight, ch.up_distance, ch.up_middle);
      if (i == 1) emit(true, ch.down_first, ch.down_head, ch.down_weight, ch.down_distance, ch.down_middle);
      if (i == 2) {
        ch.rank.assign(t_.rank.begin(), t_.rank.end());
        ch.input_node.assign(t_.order.begin(), t_.order.end());
      }
    }, 1);
    return ch;
  }

 private:
  // Splits the elimination tree into tasks (maximal subtrees of at most n / (8 threads) nodes) and
  // the nodes above them, grouped by height (bottom up) and by depth (top down).
  void schedule() {
    const uint32_t n = t_.nodeCount();
    std::vector<uint32_t> size(n, 1);
    for (uint32_t u = 0; u < n; ++u)
      if (t_.parent[u] != kNoTreeParent) size[t_.parent[u]] += size[u];
    const uint32_t limit = threads_ <= 1 ? n : std::max<uint32_t>(tuning_.min_task_nodes, n / (8 * threads_));
    constexpr uint32_t kTop = 0xFFFFFFFFu;
    std::vector<uint32_t> task(n, kTop);
    uint32_t tasks = 0;
    std::vector<uint32_t> height, depth;
    std::vector<uint32_t> top;
    for (uint32_t u = n; u-- > 0;) {
      const uint32_t p = t_.parent[u];
      if (p != kNoTreeParent && task[p] != kTop) task[u] = task[p];
      else if (size[u] <= limit) task[u] = tasks++;
      else top.push_back(u);
    }
    // Tasks: nodes by task, ascending within each.
    task_first_.assign(tasks + 1, 0);
    for (uint32_t u = 0; u < n; ++u)
      if (task[u] != kTop) task_first_[task[u] + 1]++;
    for (uint32_t i = 0; i < tasks; ++i) task_first_[i + 1] += task_first_[i];
    task_nodes_.resize(task_first_[tasks]);
    {
      std::vector<uint32_t> pos(task_first_.begin(), task_first_.end() - 1);
      for (uint32_t u = 0; u < n; ++u)
        if (task[u] != kTop) task_nodes_[pos[task[u]]++] = u;
    }
    // The nodes above the tasks (`top` is in descending order): heights and depths among them.
    std::vector<uint32_t> level_of(n, 0);
    uint32_t levels = 0;
    for (auto it = top.rbegin(); it != top.rend(); ++it) {  // ascending: children first
      const uint32_t u = *it, p = t_.parent[u];
      levels = std::max(levels, level_of[u] + 1);
      if (p != kNoTreeParent) level_of[p] = std::max(level_of[p], level_of[u] + 1);
    }
    top_by_height_ = groupTop(top, level_of, levels);
    levels = 0;
    for (uint32_t u : top) {  // descending: parents first
      const uint32_t p = t_.parent[u];
      level_of[u] = p == kNoTreeParent ? 0 : level_of[p] + 1;
      levels = std::max(levels, level_of[u] + 1);
    }
    top_by_depth_ = groupTop(top, level_of, levels);
  }

  static Levels groupTop(const std::vector<uint32_t>& top, const std::vector<uint32_t>& level_of, uint32_t levels) {
    Levels l;
    l.first.assign(levels + 1, 0);
    for (uint32_t u : top) l.first[level_of[u] + 1]++;
    for (uint32_t i = 0; i < levels; ++i) l.first[i + 1] += l.first[i];
    l.nodes.resize(top.size());
    std::vector<uint32_t> pos(l.first.begin(), l.first.end() - 1);
    for (uint32_t u : top) l.nodes[pos[level_of[u]]++] = u;
    return l;
  }

  std::vector<uint32_t>& slot(unsigned thread) {
    std::vector<uint32_t>& s = slots_[thread];
    if (s.empty()) s.assign(t_.nodeCount(), kNoSlot);
    return s;
  }

  template <typename Body>
  void forEachTask(bool descending, Body&& body) {
    parallelFor(task_first_.size() - 1, threads_, [&](uint64_t i, unsigned thread) {
      std::vector<uint32_t>& s = slot(thread);
      const uint32_t begin = task_first_[i], end = task_first_[i + 1];
      if (descending)
        for (uint32_t k = end; k-- > begin;) body(task_nodes_[k], s);
      else
        for (uint32_t k = begin; k < end; ++k) body(task_nodes_[k], s);
    }, 1);
  }

  template <typename Body>
  void forEachInLevel(const Levels& levels, size_t l, Body&& body) {
    const uint32_t begin = levels.first[l], count = levels.first[l + 1] - begin;
    parallelFor(count, count < 2 ? 1 : threads_, [&](uint64_t i, unsigned thread) { body(levels.nodes[begin + i], slot(thread)); }, 1);
  }

  static uint32_t levelSize(const Levels& levels, size_t l) { return levels.first[l + 1] - levels.first[l]; }
  // A node alone on its level is worth splitting across threads when it has many lower neighbours.
  bool splits(uint32_t u) const {
    return threads_ > 1 && t_.down_first[u + 1] - t_.down_first[u] >= tuning_.split_min_lower_neighbours;
  }

  // Arcs of u through every lower neighbour m: u -> m -> v and v -> m -> u for each upper neighbour
  // v of m above u (the arc u-v exists: m's upper neighbours form a clique).
  void lowerTriangles(uint32_t u, std::vector<uint32_t>& slot) {
    for (uint32_t a = t_.up_first[u]; a < t_.up_first[u + 1]; ++a) slot[t_.up_head[a]] = a;
    lowerTrianglesOf(u, t_.down_first[u], t_.down_first[u + 1], slot, arcs_.data());
    for (uint32_t a = t_.up_first[u]; a < t_.up_first[u + 1]; ++a) slot[t_.up_head[a]] = kNoSlot;
  }

  // The lower neighbours begin .. end of u (indices into down_*); slot[v] indexes u's arc to v in out.
  void lowerTrianglesOf(uint32_t u, uint32_t begin, uint32_t end, const std::vector<uint32_t>& slot, ArcCost* out) {
    (void)u;
    for (uint32_t i = begin; i < end; ++i) {
      const uint32_t m = t_.down_tail[i], mu = t_.down_arc[i];
      const Cost m_to_u = arcs_[mu].up;
      const Cost u_to_m = arcs_[mu].down;
      if (m_to_u.weight == kNotAllowed && u_to_m.weight == kNotAllowed) continue;
      for (uint32_t mv = mu + 1; mv < t_.up_first[m + 1]; ++mv) {
        const uint32_t uv = slot[t_.up_head[mv]];
        if (uv == kNoSlot) notChordal();
        const ArcCost& m_v = arcs_[mv];
        relax(out[uv].up, u_to_m, m_v.up, m);
        relax(out[uv].down, m_v.down, m_to_u, m);
      }
    }
  }

  // One heavy node on all threads: each relaxes a private copy of u's arcs over a share of its lower
  // neighbours; the copies are merged (cheapest, then shortest) at the end.
  void lowerTrianglesSplit(uint32_t u) {
    const uint32_t base = t_.up_first[u], degree = t_.up_first[u + 1] - base;
    const uint32_t begin = t_.down_first[u], count = t_.down_first[u + 1] - begin;
    std::vector<std::vector<ArcCost>> copies(threads_);
    parallelFor(count, threads_, [&](uint64_t i, unsigned thread) {
      std::vector<uint32_t>& s = slot(thread);
      std::vector<ArcCost>& c = copies[thread];
      if (c.empty() && degree > 0) {
        c.assign(arcs_.begin() + base, arcs_.begin() + base + degree);
        for (uint32_t k = 0; k < degree; ++k) s[t_.up_head[base + k]] = k;
      }
      lowerTrianglesOf(u, begin + static_cast<uint32_t>(i), begin + static_cast<uint32_t>(i) + 1, s, c.data());
    }, 16);
    auto better = [](Cost& target, const Cost& c) {
      if (c.weight < target.weight || (c.weight == target.weight && c.distance < target.distance)) target = c;
    };
    for (unsigned thread = 0; thread < threads_; ++thread) {
      if (copies[thread].empty()) continue;
      for (uint32_t k = 0; k < degree; ++k) {
        better(arcs_[base + k].up, copies[thread][k].up);
        better(arcs_[base + k].down, copies[thread][k].down);
        slots_[thread][t_.up_head[base + k]] = kNoSlot;
      }
    }
  }

  // Triangles u < x < v with x in the middle: arc u-v via x, and arc u-x via v (x-v is final).
  void upperTriangles(uint32_t x, std::vector<uint32_t>& slot) {
    for (uint32_t a = t_.up_first[x]; a < t_.up_first[x + 1]; ++a) slot[t_.up_head[a]] = a;
    upperTrianglesOf(t_.down_first[x], t_.down_first[x + 1], slot);
    for (uint32_t a = t_.up_first[x]; a < t_.up_first[x + 1]; ++a) slot[t_.up_head[a]] = kNoSlot;
  }

  // Each lower neighbour u of x writes only u's own arcs, so x's lower neighbours split across
  // threads without copies.
  void upperTrianglesSplit(uint32_t x) {
    const uint32_t begin = t_.down_first[x], count = t_.down_first[x + 1] - begin;
    std::vector<char> filled(threads_, 0);
    parallelFor(count, threads_, [&](uint64_t i, unsigned thread) {
      std::vector<uint32_t>& s = slot(thread);
      if (!filled[thread]) {
        filled[thread] = 1;
        for (uint32_t a = t_.up_first[x]; a < t_.up_first[x + 1]; ++a) s[t_.up_head[a]] = a;
      }
      upperTrianglesOf(begin + static_cast<uint32_t>(i), begin + static_cast<uint32_t>(i) + 1, s);
    }, 16);
    for (unsigned thread = 0; thread < threads_; ++thread)
      if (filled[thread])
        for (uint32_t a = t_.up_first[x]; a < t_.up_first[x + 1]; ++a) slots_[thread][t_.up_head[a]] = kNoSlot;
  }

  void upperTrianglesOf(uint32_t begin, uint32_t end, const std::vector<uint32_t>& slot) {
    for (uint32_t i = begin; i < end; ++i) {
      const uint32_t u = t_.down_tail[i], ux = t_.down_arc[i];
      for (uint32_t uv = ux + 1; uv < t_.up_first[u + 1]; ++uv) {
        const uint32_t xv = slot[t_.up_head[uv]];
        if (xv == kNoSlot) notChordal();
        ArcCost& u_v = arcs_[uv];
        ArcCost& u_x = arcs_[ux];
        const ArcCost& x_v = arcs_[xv];
        relaxPerfect(u_v.up, u_x.up, x_v.up);
        relaxPerfect(u_v.down, x_v.down, u_x.down);
        relaxPerfect(u_x.up, u_v.up, x_v.down);
        relaxPerfect(u_x.down, x_v.up, u_v.down);
      }
    }
  }

  const CCHTopology& t_;
  unsigned threads_;
  CustomizeTuning tuning_;
  std::vector<std::vector<uint32_t>> slots_;  // per thread: arc of the current node to each upper neighbour
  std::vector<ArcCost> arcs_;
  std::vector<uint32_t> task_first_, task_nodes_;
  Levels top_by_height_, top_by_depth_;
};

}  // namespace

std::vector<uint32_t> turnDistancesCm(const EdgeBasedView& eb) {
  std::vector<uint32_t> d(eb.turn_head.size());
  for (uint32_t s = 0; s < eb.segmentCount(); ++s)
    for (uint32_t i = eb.turn_first[s]; i < eb.turn_first[s + 1]; ++i) d[i] = eb.segment_length_cm[s];
  return d;
}

ContractionHierarchy customizeCCH(const CCHTopology& topology, std::span<const uint32_t> arc_weight,
                                  std::span<const uint32_t> arc_distance, const CustomizeOptions& options) {
  return customizeCCH(topology, arc_weight, arc_distance, options, CustomizeTuning{});
}

ContractionHierarchy customizeCCH(const CCHTopology& topology, std::span<const uint32_t> arc_weight,
                                  std::span<const uint32_t> arc_distance, const CustomizeOptions& options,
                                  const CustomizeTuning& tuning) {
  if (arc_weight.size() != topology.turn_arc.size() || arc_distance.size() != topology.turn_arc.size())
    throw Error("InvalidArgument", "a metric needs one weight and one distance per turn of the map (" +
                                       std::to_string(topology.turn_arc.size()) + ")");
  Customizer c(topology, options.threads == 0 ? defaultThreadCount() : options.threads, tuning);
  c.run(arc_weight, arc_distance, options.perfect);
  return c.result();
}

}  // namespace waymark
