#include "ch/contraction.h"

#include <algorithm>
#include <limits>
#include <mutex>
#include <queue>

#include "common/parallel.h"

namespace waymark {

namespace {

constexpr uint32_t kInf = std::numeric_limits<uint32_t>::max();

struct Arc {
  uint32_t node;
  uint32_t weight;
  uint32_t distance;
  uint32_t middle;
  uint32_t hops;
};

struct Shortcut {
  uint32_t from, to, weight, distance, middle, hops;
};

struct FinalArc {
  uint32_t tail, head, weight, distance, middle;
};

// Bounded Dijkstra over the uncontracted graph, with versioned scratch so nothing is cleared.
class WitnessSearch {
 public:
  explicit WitnessSearch(uint32_t n) : dist_(n, kInf), stamp_(n, 0) {}

  template <typename Skip>
  void run(const std::vector<std::vector<Arc>>& out, uint32_t source, uint32_t max_weight, uint32_t settle_limit,
           Skip&& skip) {
    if (++current_ == 0) {
      std::fill(stamp_.begin(), stamp_.end(), 0);
      current_ = 1;
    }
    heap_ = {};
    set(source, 0);
    heap_.push({0, source});
    uint32_t settled = 0;
    while (!heap_.empty()) {
      auto [d, x] = heap_.top();
      heap_.pop();
      if (d != dist_[x]) continue;
      if (d > max_weight || ++settled > settle_limit) break;
      for (const Arc& a : out[x]) {
        if (skip(a.node)) continue;
        const uint64_t nd = uint64_t(d) + a.weight;
        if (nd > max_weight) continue;
        if (stamp_[a.node] != current_ || nd < dist_[a.node]) {
          set(a.node, static_cast<uint32_t>(nd));
          heap_.push({static_cast<uint32_t>(nd), a.node});
        }
      }
    }
  }
  uint32_t distance(uint32_t v) const { return stamp_[v] == current_ ? dist_[v] : kInf; }

 private:
  void set(uint32_t v, uint32_t d) {
    stamp_[v] = current_;
    dist_[v] = d;
  }
  using Entry = std::pair<uint32_t, uint32_t>;
  std::vector<uint32_t> dist_, stamp_;
  uint32_t current_ = 0;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> heap_;
};

class Contractor {
 public:
  Contractor(const std::vector<uint32_t>& first_out, const std::vector<uint32_t>& head, const std::vector<uint32_t>& weight,
             const std::vector<uint32_t>& distance, const ContractionOptions& options)
      : n_(static_cast<uint32_t>(first_out.size() - 1)),
        threads_(options.threads ? options.threads : defaultThreadCount()),
        options_(options),
        out_(n_),
        in_(n_),
        state_(n_, kActive),
        priority_(n_, 0),
        level_(n_, 0) {
    for (uint32_t v = 0; v < n_; ++v) {
      for (uint32_t i = first_out[v]; i < first_out[v + 1]; ++i) {
        const uint32_t w = head[i];
        if (w == v) continue;  // a loop never shortens a path
        addOrImprove(v, w, weight[i], distance[i], kNoMiddle, 1);
      }
    }
    for (unsigned t = 0; t < threads_; ++t) searches_.emplace_back(n_);
  }

  ContractionHierarchy run() {
    ContractionHierarchy ch;
    ch.rank.assign(n_, 0);
    std::vector<uint32_t> remaining(n_);
    for (uint32_t v = 0; v < n_; ++v) remaining[v] = v;
    parallelFor(n_, threads_, [&](uint64_t v, unsigned t) { priority_[v] = simulate(static_cast<uint32_t>(v), t); });

    uint32_t next_rank = 0;
    std::vector<uint32_t> selected, touched;
    std::vector<std::vector<Shortcut>> per_thread(threads_);
    std::vector<uint8_t> is_selected(n_, 0), is_touched(n_, 0);
    reportProgress(options_.progress, "contract", 0, n_);
    while (!remaining.empty()) {
      // 1. Independent set: strictly smallest (priority, hash) among its neighbours.
      is_selected.assign(n_, 0);
      parallelFor(remaining.size(), threads_, [&](uint64_t i, unsigned) {
        const uint32_t v = remaining[i];
        is_selected[v] = isLocalMinimum(v) ? 1 : 0;
      }, 256);
      selected.clear();
      for (uint32_t v : remaining)
        if (is_selected[v]) selected.push_back(v);
      for (uint32_t v : selected) state_[v] = kInRound;

      // 2. Shortcuts of every selected node, in parallel; witnesses avoid the whole round.
      for (auto& list : per_thread) list.clear();
      parallelFor(selected.size(), threads_, [&](uint64_t i, unsigned t) {
        shortcutsOf(selected[i], t, options_.contract_settle_limit, true, &per_thread[t]);
      }, 8);

      // 3. Apply: record final arcs, detach, insert shortcuts.
      touched.clear();
      for (uint32_t v : selected) {
        ch.rank[v] = next_rank++;
        for (const Arc& a : out_[v]) {
          up_.push_back({v, a.node, a.weight, a.distance, a.middle});
          eraseArc(in_[a.node], v);
          touch(a.node, v, is_touched, touched);
        }
        for (const Arc& a : in_[v]) {
          down_.push_back({v, a.node, a.weight, a.distance, a.middle});
          eraseArc(out_[a.node], v);
          touch(a.node, v, is_touched, touched);
        }
        std::vector<Arc>().swap(out_[v]);
        std::vector<Arc>().swap(in_[v]);
        state_[v] = kContracted;
      }
      for (const auto& list : per_thread)
        for (const Shortcut& s : list) addOrImprove(s.from, s.to, s.weight, s.distance, s.middle, s.hops);

      // 4. Lazy updates: only neighbours of contracted nodes get a new priority.
      std::vector<uint32_t> update;
      for (uint32_t v : touched) {
        is_touched[v] = 0;
        if (state_[v] == kActive) update.push_back(v);
      }
      parallelFor(update.size(), threads_, [&](uint64_t i, unsigned t) { priority_[update[i]] = simulate(update[i], t); }, 16);
      remaining.erase(std::remove_if(remaining.begin(), remaining.end(), [&](uint32_t v) { return state_[v] == kContracted; }),
                      remaining.end());
      reportProgress(options_.progress, "contract", n_ - remaining.size(), n_);
    }
    ch.input_node.assign(n_, 0);
    for (uint32_t v = 0; v < n_; ++v) ch.input_node[ch.rank[v]] = v;
    for (auto* arcs : {&up_, &down_})
      for (FinalArc& a : *arcs) {
        a.tail = ch.rank[a.tail];
        a.head = ch.rank[a.head];
        if (a.middle != kNoMiddle) a.middle = ch.rank[a.middle];
      }
    toCsr(up_, ch.up_first, ch.up_head, ch.up_weight, ch.up_distance, ch.up_middle);
    toCsr(down_, ch.down_first, ch.down_head, ch.down_weight, ch.down_distance, ch.down_middle);
    return ch;
  }

 private:
  enum State : uint8_t { kActive = 0, kInRound = 1, kContracted = 2 };

  static uint32_t hash(uint32_t v) { return v * 2654435761u; }

  bool isLocalMinimum(uint32_t v) const {
    const float p = priority_[v];
    const uint32_t h = hash(v);
    auto smaller = [&](uint32_t x) {
      return p < priority_[x] || (p == priority_[x] && (h < hash(x) || (h == hash(x) && v < x)));
    };
    for (const Arc& a : out_[v])
      if (!smaller(a.node)) return false;
    for (const Arc& a : in_[v])
      if (!smaller(a.node)) return false;
    return true;
  }

  void touch(uint32_t x, uint32_t contracted, std::vector<uint8_t>& is_touched, std::vector<uint32_t>& touched) {
    level_[x] = std::max(level_[x], level_[contracted] + 1);
    if (!is_touched[x]) {
      is_touched[x] = 1;
      touched.push_back(x);
    }
  }

  // Shortcuts needed if v were contracted now. With `list`, they are collected; otherwise counted
  // and turned into a priority.
  float shortcutsOf(uint32_t v, unsigned t, uint32_t settle_limit, bool exclude_round, std::vector<Shortcut>* list) {
    WitnessSearch& search = searches_[t];
    uint32_t max_out = 0;
    for (const Arc& b : out_[v]) max_out = std::max(max_out, b.weight);
    uint32_t added = 0, added_hops = 0;
    for (const Arc& a : in_[v]) {
      const uint32_t u = a.node;
      bool any_target = false;
      for (const Arc& b : out_[v])
        if (b.node != u) any_target = true;
      if (!any_target) continue;
      const uint64_t bound = std::min<uint64_t>(uint64_t(a.weight) + max_out, kInf - 1);
      if (exclude_round) {
        search.run(out_, u, static_cast<uint32_t>(bound), settle_limit, [&](uint32_t x) { return state_[x] != kActive; });
      } else {
        search.run(out_, u, static_cast<uint32_t>(bound), settle_limit, [&](uint32_t x) { return x == v; });
      }
      for (const Arc& b : out_[v]) {
        if (b.node == u) continue;
        const uint64_t via = uint64_t(a.weight) + b.weight;
        if (search.distance(b.node) <= via) continue;  // a witness path is at least as short
        ++added;
        added_hops += a.hops + b.hops;
        if (list)
          list->push_back({u, b.node, static_cast<uint32_t>(std::min<uint64_t>(via, kInf - 1)), a.distance + b.distance, v,
                           a.hops + b.hops});
      }
    }
    uint32_t removed = 0, removed_hops = 0;
    for (const Arc& a : in_[v]) removed_hops += a.hops, ++removed;
    for (const Arc& b : out_[v]) removed_hops += b.hops, ++removed;
    return float(level_[v]) + float(added) / float(std::max(removed, 1u)) * 2.0f +
           float(added_hops) / float(std::max(removed_hops, 1u));
  }

  float simulate(uint32_t v, unsigned t) { return shortcutsOf(v, t, options_.simulate_settle_limit, false, nullptr); }

  static void eraseArc(std::vector<Arc>& arcs, uint32_t node) {
    for (size_t i = 0; i < arcs.size(); ++i) {
      if (arcs[i].node == node) {
        arcs[i] = arcs.back();
        arcs.pop_back();
        return;
      }
    }
  }

  void addOrImprove(uint32_t from, uint32_t to, uint32_t weight, uint32_t distance, uint32_t middle, uint32_t hops) {
    for (Arc& a : out_[from]) {
      if (a.node != to) continue;
      if (weight < a.weight) {
        a = {to, weight, distance, middle, hops};
        for (Arc& b : in_[to])
          if (b.node == from) b = {from, weight, distance, middle, hops};
      }
      return;
    }
    out_[from].push_back({to, weight, distance, middle, hops});
    in_[to].push_back({from, weight, distance, middle, hops});
  }

  void toCsr(std::vector<FinalArc>& arcs, std::vector<uint32_t>& first, std::vector<uint32_t>& head, std::vector<uint32_t>& weight,
             std::vector<uint32_t>& distance, std::vector<uint32_t>& middle) {
    first.assign(n_ + 1, 0);
    for (const FinalArc& a : arcs) ++first[a.tail + 1];
    for (uint32_t v = 0; v < n_; ++v) first[v + 1] += first[v];
    head.resize(arcs.size());
    weight.resize(arcs.size());
    distance.resize(arcs.size());
    middle.resize(arcs.size());
    std::vector<uint32_t> fill(first.begin(), first.end() - 1);
    for (const FinalArc& a : arcs) {
      const uint32_t i = fill[a.tail]++;
      head[i] = a.head;
      weight[i] = a.weight;
      distance[i] = a.distance;
      middle[i] = a.middle;
    }
    std::vector<FinalArc>().swap(arcs);
  }

  uint32_t n_;
  unsigned threads_;
  ContractionOptions options_;
  std::vector<std::vector<Arc>> out_, in_;
  std::vector<uint8_t> state_;
  std::vector<float> priority_;
  std::vector<uint32_t> level_;
  std::vector<WitnessSearch> searches_;
  std::vector<FinalArc> up_, down_;
};

}  // namespace

ContractionHierarchy buildContractionHierarchy(const std::vector<uint32_t>& first_out, const std::vector<uint32_t>& head,
                                               const std::vector<uint32_t>& weight, const std::vector<uint32_t>& distance,
                                               const ContractionOptions& options) {
  Contractor contractor(first_out, head, weight, distance, options);
  return contractor.run();
}

}  // namespace waymark
