#include "ch/contraction.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <mutex>
#include <queue>
#include <tuple>

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

// What a witness search reads of an arc, kept apart from the rest so a scan touches fewer cache lines.
struct SearchArc {
  uint32_t node;
  uint32_t weight;
};

struct Shortcut {
  uint32_t from, to, weight, distance, middle, hops;
};

// One thread's shortcuts of a round, on cache lines of its own (the vector header is written on
// every push_back).
struct alignas(64) ShortcutList {
  std::vector<Shortcut> list;
};

struct FinalArc {
  uint32_t tail, head, weight, distance, middle;
};

// One target of a witness search: is there a path to `node` of weight <= `need` avoiding the node
// being contracted (or the whole round)? `arc` is the caller's index of the arc it stands for.
struct WitnessTarget {
  uint32_t node, need, arc;
  bool resolved, witnessed;
};

// Bounded Dijkstra over the uncontracted graph, with versioned scratch so nothing is cleared. It stops
// once every target is resolved: witnessed (a path within its need, tentative distances count since
// they are real paths) or settled beyond its need. The radius shrinks to the largest need still
// open, so a search rarely explores more than a few nodes. Each thread owns one, aligned to its own
// cache lines (neighbouring objects written by two threads would share one).
class alignas(64) WitnessSearch {
 public:
  explicit WitnessSearch(uint32_t n) : dist_(n, kInf), stamp_(n, 0), target_of_(n, 0) {}

  std::vector<WitnessTarget> targets;

  template <typename Skip>
  void run(const std::vector<std::vector<SearchArc>>& out, uint32_t source, uint32_t settle_limit, uint32_t scan_limit,
           Skip&& skip) {
    if (++current_ == 0) {
      std::fill(stamp_.begin(), stamp_.end(), 0);
      current_ = 1;
    }
    open_ = static_cast<uint32_t>(targets.size());
    bound_ = 0;
    for (uint32_t i = 0; i < targets.size(); ++i) {
      WitnessTarget& t = targets[i];
      t.resolved = t.witnessed = false;
      bound_ = std::max(bound_, t.need);
      stamp_[t.node] = current_;  // marked unreached (kInf) so target_of_ can be trusted
      dist_[t.node] = kInf;
      target_of_[t.node] = i + 1;
    }
    heap_.clear();
    set(source, 0);
    heap_.push_back({0, source});
    uint32_t settled = 0, scanned = 0;
    while (!heap_.empty() && open_ > 0) {
      std::pop_heap(heap_.begin(), heap_.end(), std::greater<Entry>());
      const auto [d, x] = heap_.back();
      heap_.pop_back();
      if (d != dist_[x]) continue;
      if (d > bound_ || ++settled > settle_limit || scanned > scan_limit) break;
      scanned += static_cast<uint32_t>(out[x].size());
      if (isOpenTarget(x)) resolve(targets[target_of_[x] - 1], d);
      for (const SearchArc& a : out[x]) {
        const uint64_t nd = uint64_t(d) + a.weight;
        if (nd > bound_) continue;
        if (stamp_[a.node] == current_ && nd >= dist_[a.node]) continue;
        if (skip(a.node)) continue;
        set(a.node, static_cast<uint32_t>(nd));
        if (isOpenTarget(a.node)) {
          WitnessTarget& t = targets[target_of_[a.node] - 1];
          if (nd <= t.need) {
            resolve(t, static_cast<uint32_t>(nd));
            if (open_ == 0) break;
          }
        }
        heap_.push_back({static_cast<uint32_t>(nd), a.node});
        std::push_heap(heap_.begin(), heap_.end(), std::greater<Entry>());
      }
    }
    for (const WitnessTarget& t : targets) target_of_[t.node] = 0;
  }

 private:
  bool isOpenTarget(uint32_t v) const { return target_of_[v] != 0 && !targets[target_of_[v] - 1].resolved; }
  void resolve(WitnessTarget& t, uint32_t d) {
    t.resolved = true;
    t.witnessed = d <= t.need;
    --open_;
    if (t.need == bound_) {
      bound_ = 0;
      for (const WitnessTarget& o : targets)
        if (!o.resolved) bound_ = std::max(bound_, o.need);
    }
  }
  void set(uint32_t v, uint32_t d) {
    stamp_[v] = current_;
    dist_[v] = d;
  }
  using Entry = std::pair<uint32_t, uint32_t>;
  std::vector<uint32_t> dist_, stamp_, target_of_;
  uint32_t current_ = 0, open_ = 0, bound_ = 0;
  std::vector<Entry> heap_;
};

// Adds the seconds since the last lap to a stats field.
class Lap {
 public:
  double next() {
    const auto now = std::chrono::steady_clock::now();
    const double s = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    return s;
  }

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
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
        out_search_(n_),
        state_(n_, kActive),
        priority_(n_, 0),
        level_(n_, 0),
        arc_index_(n_, 0),
        arc_index_mark_(n_, 0) {
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
    ContractionStats stats;
    Lap lap;
    ContractionHierarchy ch;
    ch.rank.assign(n_, 0);
    std::vector<uint32_t> remaining(n_);
    for (uint32_t v = 0; v < n_; ++v) remaining[v] = v;
    parallelFor(n_, threads_, [&](uint64_t v, unsigned t) { priority_[v] = simulate(static_cast<uint32_t>(v), t); });
    stats.seconds_initial_priorities += lap.next();

    uint32_t next_rank = 0;
    std::vector<uint32_t> selected, touched, update;
    std::vector<ShortcutList> per_thread(threads_);
    std::vector<Shortcut> round_shortcuts;
    std::vector<uint8_t> is_selected(n_, 0), is_touched(n_, 0);
    reportProgress(options_.progress, "contract", 0, n_);
    while (!remaining.empty()) {
      // 1. Independent set: strictly smallest (priority, hash) among its neighbours.
      parallelFor(remaining.size(), threads_, [&](uint64_t i, unsigned) {
        const uint32_t v = remaining[i];
        is_selected[v] = isLocalMinimum(v) ? 1 : 0;
      }, 256);
      selected.clear();
      for (uint32_t v : remaining)
        if (is_selected[v]) selected.push_back(v);
      for (uint32_t v : selected) state_[v] = kInRound;
      ++stats.rounds;
      stats.seconds_select += lap.next();

      // 2. Shortcuts of every selected node, in parallel; witnesses avoid the whole round.
      for (auto& shortcuts : per_thread) shortcuts.list.clear();
      parallelFor(selected.size(), threads_, [&](uint64_t i, unsigned t) {
        shortcutsOf(selected[i], t, options_.contract_settle_limit, true, &per_thread[t].list);
      }, 1);  // one node at a time: late rounds take a handful of costly dense-core nodes
      stats.seconds_witness += lap.next();

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
          eraseOutArc(a.node, v);
          touch(a.node, v, is_touched, touched);
        }
        std::vector<Arc>().swap(out_[v]);
        std::vector<SearchArc>().swap(out_search_[v]);
        std::vector<Arc>().swap(in_[v]);
        state_[v] = kContracted;
      }
      // Shortcuts grouped by tail (best first, in a deterministic order whatever the threads did):
      // each tail's existing arcs are indexed once, not scanned per shortcut (dense-core tails have
      // hundreds of arcs and receive thousands of shortcuts).
      round_shortcuts.clear();
      for (const auto& shortcuts : per_thread) round_shortcuts.insert(round_shortcuts.end(), shortcuts.list.begin(), shortcuts.list.end());
      stats.shortcuts += round_shortcuts.size();
      std::sort(round_shortcuts.begin(), round_shortcuts.end(), [](const Shortcut& a, const Shortcut& b) {
        return std::tie(a.from, a.to, a.weight, a.middle) < std::tie(b.from, b.to, b.weight, b.middle);
      });
      for (size_t i = 0; i < round_shortcuts.size();) {
        const uint32_t from = round_shortcuts[i].from;
        if (++arc_index_stamp_ == 0) {
          std::fill(arc_index_mark_.begin(), arc_index_mark_.end(), 0);
          arc_index_stamp_ = 1;
        }
        for (uint32_t k = 0; k < out_search_[from].size(); ++k) {
          arc_index_mark_[out_search_[from][k].node] = arc_index_stamp_;
          arc_index_[out_search_[from][k].node] = k;
        }
        for (; i < round_shortcuts.size() && round_shortcuts[i].from == from; ++i) {
          const Shortcut& sc = round_shortcuts[i];
          if (arc_index_mark_[sc.to] == arc_index_stamp_) {
            improveArc(from, arc_index_[sc.to], sc);
          } else {
            arc_index_mark_[sc.to] = arc_index_stamp_;
            arc_index_[sc.to] = static_cast<uint32_t>(out_[from].size());
            out_[from].push_back({sc.to, sc.weight, sc.distance, sc.middle, sc.hops});
            out_search_[from].push_back({sc.to, sc.weight});
            in_[sc.to].push_back({from, sc.weight, sc.distance, sc.middle, sc.hops});
          }
        }
      }
      stats.seconds_apply += lap.next();

      // 4. Only neighbours of contracted nodes get a new priority. (Deferring it until a node is a
      // candidate, Geisberger's lazy updates, simulated 5x less on ankara but compared candidates
      // with stale neighbours: 22% more arcs and 1.8x the query search space. Not kept.)
      update.clear();
      for (uint32_t v : touched) {
        is_touched[v] = 0;
        if (state_[v] == kActive) update.push_back(v);
      }
      parallelFor(update.size(), threads_, [&](uint64_t i, unsigned t) { priority_[update[i]] = simulate(update[i], t); }, 4);
      stats.priority_updates += update.size();
      stats.seconds_priority_updates += lap.next();
      remaining.erase(std::remove_if(remaining.begin(), remaining.end(), [&](uint32_t v) { return state_[v] == kContracted; }),
                      remaining.end());
      stats.seconds_select += lap.next();
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
    stats.seconds_finish += lap.next();
    if (options_.stats) *options_.stats = stats;
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
    for (const SearchArc& a : out_search_[v])
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
    const std::vector<Arc>& outs = out_[v];
    uint32_t added = 0, added_hops = 0;
    // A simulation's scan budget is shared by its searches (one per in-neighbour): a dense-core node
    // with 50 in-arcs is re-simulated after every round that touches it.
    const uint32_t simulate_scan_limit =
        std::max<uint32_t>(options_.simulate_scan_limit / std::max<uint32_t>(1, static_cast<uint32_t>(in_[v].size())), 64);
    for (const Arc& a : in_[v]) {
      const uint32_t u = a.node;
      search.targets.clear();
      for (uint32_t i = 0; i < outs.size(); ++i) {
        if (outs[i].node == u) continue;
        const uint64_t via = uint64_t(a.weight) + outs[i].weight;
        search.targets.push_back({outs[i].node, static_cast<uint32_t>(std::min<uint64_t>(via, kInf - 1)), i, false, false});
      }
      if (search.targets.empty()) continue;
      if (exclude_round) {
        search.run(out_search_, u, settle_limit, options_.contract_scan_limit, [&](uint32_t x) { return state_[x] != kActive; });
      } else {
        search.run(out_search_, u, settle_limit, simulate_scan_limit, [&](uint32_t x) { return x == v; });
      }
      for (const WitnessTarget& target : search.targets) {
        if (target.witnessed) continue;  // a witness path is at least as short
        const Arc& b = outs[target.arc];
        ++added;
        added_hops += a.hops + b.hops;
        if (list) list->push_back({u, b.node, target.need, a.distance + b.distance, v, a.hops + b.hops});
      }
    }
    uint32_t removed = 0, removed_hops = 0;
    for (const Arc& a : in_[v]) removed_hops += a.hops, ++removed;
    for (const Arc& b : outs) removed_hops += b.hops, ++removed;
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

  void eraseOutArc(uint32_t from, uint32_t node) {
    std::vector<Arc>& arcs = out_[from];
    std::vector<SearchArc>& search = out_search_[from];
    for (size_t i = 0; i < arcs.size(); ++i) {
      if (arcs[i].node == node) {
        arcs[i] = arcs.back();
        arcs.pop_back();
        search[i] = search.back();
        search.pop_back();
        return;
      }
    }
  }

  // Replaces out_[from][k] (and its twin in in_) by the shortcut when that is shorter.
  void improveArc(uint32_t from, uint32_t k, const Shortcut& sc) {
    Arc& a = out_[from][k];
    if (sc.weight >= a.weight) return;
    a = {sc.to, sc.weight, sc.distance, sc.middle, sc.hops};
    out_search_[from][k].weight = sc.weight;
    for (Arc& b : in_[sc.to])
      if (b.node == from) b = {from, sc.weight, sc.distance, sc.middle, sc.hops};
  }

  void addOrImprove(uint32_t from, uint32_t to, uint32_t weight, uint32_t distance, uint32_t middle, uint32_t hops) {
    for (size_t i = 0; i < out_[from].size(); ++i) {
      Arc& a = out_[from][i];
      if (a.node != to) continue;
      if (weight < a.weight) {
        a = {to, weight, distance, middle, hops};
        out_search_[from][i].weight = weight;
        for (Arc& b : in_[to])
          if (b.node == from) b = {from, weight, distance, middle, hops};
      }
      return;
    }
    out_[from].push_back({to, weight, distance, middle, hops});
    out_search_[from].push_back({to, weight});
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
  std::vector<std::vector<SearchArc>> out_search_;  // out_ as the witness searches read it, same order
  std::vector<uint8_t> state_;
  std::vector<float> priority_;
  std::vector<uint32_t> level_;
  std::vector<uint32_t> arc_index_, arc_index_mark_;  // head -> index in out_[tail] while applying a tail's shortcuts
  uint32_t arc_index_stamp_ = 0;
  std::vector<WitnessSearch> searches_;
  std::vector<FinalArc> up_, down_;
};

// A breadth-first order over the graph with arcs taken both ways: nodes near each other in the
// road network get near ids, so the witness searches' scattered reads hit fewer cache lines.
std::vector<uint32_t> localityOrder(const std::vector<uint32_t>& first_out, const std::vector<uint32_t>& head) {
  const uint32_t n = static_cast<uint32_t>(first_out.size() - 1);
  std::vector<uint32_t> first_in(n + 1, 0), tail_in(head.size());
  for (uint32_t h : head) ++first_in[h + 1];
  for (uint32_t v = 0; v < n; ++v) first_in[v + 1] += first_in[v];
  std::vector<uint32_t> fill(first_in.begin(), first_in.end() - 1);
  for (uint32_t v = 0; v < n; ++v)
    for (uint32_t i = first_out[v]; i < first_out[v + 1]; ++i) tail_in[fill[head[i]]++] = v;
  constexpr uint32_t kUnseen = 0xFFFFFFFFu;
  std::vector<uint32_t> new_id(n, kUnseen), queue;
  queue.reserve(n);
  for (uint32_t root = 0; root < n; ++root) {
    if (new_id[root] != kUnseen) continue;
    new_id[root] = static_cast<uint32_t>(queue.size());
    queue.push_back(root);
    for (size_t q = queue.size() - 1; q < queue.size(); ++q) {
      const uint32_t v = queue[q];
      auto visit = [&](uint32_t w) {
        if (new_id[w] != kUnseen) return;
        new_id[w] = static_cast<uint32_t>(queue.size());
        queue.push_back(w);
      };
      for (uint32_t i = first_out[v]; i < first_out[v + 1]; ++i) visit(head[i]);
      for (uint32_t i = first_in[v]; i < first_in[v + 1]; ++i) visit(tail_in[i]);
    }
  }
  return new_id;
}

}  // namespace

ContractionHierarchy buildContractionHierarchy(const std::vector<uint32_t>& first_out, const std::vector<uint32_t>& head,
                                               const std::vector<uint32_t>& weight, const std::vector<uint32_t>& distance,
                                               const ContractionOptions& options) {
  // Contract a renumbered copy, then express rank and input_node in the caller's ids (arcs and
  // middles are in hierarchy ids already).
  const uint32_t n = static_cast<uint32_t>(first_out.size() - 1);
  const std::vector<uint32_t> new_id = localityOrder(first_out, head);
  std::vector<uint32_t> old_id(n);
  for (uint32_t v = 0; v < n; ++v) old_id[new_id[v]] = v;
  std::vector<uint32_t> p_first(n + 1, 0), p_head(head.size()), p_weight(head.size()), p_distance(head.size());
  for (uint32_t x = 0; x < n; ++x) {
    const uint32_t v = old_id[x];
    p_first[x + 1] = p_first[x] + (first_out[v + 1] - first_out[v]);
    for (uint32_t i = first_out[v], j = p_first[x]; i < first_out[v + 1]; ++i, ++j) {
      p_head[j] = new_id[head[i]];
      p_weight[j] = weight[i];
      p_distance[j] = distance[i];
    }
  }
  ContractionHierarchy ch;
  {
    Contractor contractor(p_first, p_head, p_weight, p_distance, options);
    ch = contractor.run();
  }
  std::vector<uint32_t> rank(n);
  for (uint32_t v = 0; v < n; ++v) rank[v] = ch.rank[new_id[v]];
  ch.rank.swap(rank);
  for (uint32_t& v : ch.input_node) v = old_id[v];
  return ch;
}

}  // namespace waymark
