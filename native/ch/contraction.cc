#include "ch/contraction.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <mutex>
#include <queue>
#include <stdexcept>
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

// The out-arcs as the witness searches read them: every node's list in one pool, each with room to
// grow (a list that outgrows its room moves to the pool's end). Nodes near each other in id order
// have their arcs near each other, and a list's place (8 bytes a node) is denser than a vector's
// header (24) with its arcs wherever the allocator put them: a search's reads hit fewer cache lines.
class SearchArcs {
 public:
  explicit SearchArcs(uint32_t n) : list_(n) {}
  const SearchArc* begin(uint32_t v) const { return pool_.data() + list_[v].first; }
  const SearchArc* end(uint32_t v) const { return pool_.data() + list_[v].first + list_[v].size; }
  uint32_t size(uint32_t v) const { return list_[v].size; }
  void prefetchList(uint32_t v) const { __builtin_prefetch(&list_[v]); }
  void prefetchArcs(uint32_t v) const { __builtin_prefetch(pool_.data() + list_[v].first); }
  SearchArc& at(uint32_t v, uint32_t k) { return pool_[list_[v].first + k]; }
  // Makes room for `size` arcs in v's list (serially: the pool may move).
  void reserve(uint32_t v, uint32_t size) {
    List& l = list_[v];
    if (size <= l.capacity) return;
    const uint32_t capacity = std::max(size, 2 * l.capacity);
    if (pool_.size() + capacity > std::numeric_limits<uint32_t>::max()) compact(capacity);
    const uint32_t moved_first = static_cast<uint32_t>(pool_.size());
    pool_.resize(pool_.size() + capacity);
    std::copy(pool_.begin() + l.first, pool_.begin() + l.first + l.size, pool_.begin() + moved_first);
    l.first = moved_first;
    l.capacity = capacity;
  }
  // Makes room for grow[i].second arcs in list grow[i].first, for many lists at once: where each
  // moved list goes is worked out serially (the same places as reserve() one after the other), the
  // pool grows once, and the lists are copied on `threads` threads.
  void reserveMany(const std::vector<std::pair<uint32_t, uint32_t>>& grow, unsigned threads) {
    uint64_t room = 0;
    for (const auto& [v, size] : grow)
      if (size > list_[v].capacity) room += std::max(size, 2 * list_[v].capacity);
    if (room == 0) return;
    if (pool_.size() + room > std::numeric_limits<uint32_t>::max()) compact(static_cast<uint32_t>(std::min<uint64_t>(room, std::numeric_limits<uint32_t>::max())));
    moves_.clear();
    uint64_t end = pool_.size();
    for (const auto& [v, size] : grow) {
      List& l = list_[v];
      if (size <= l.capacity) continue;
      const uint32_t capacity = std::max(size, 2 * l.capacity);
      moves_.push_back({l.first, static_cast<uint32_t>(end), l.size});
      l.first = static_cast<uint32_t>(end);
      l.capacity = capacity;
      end += capacity;
    }
    pool_.resize(end);
    parallelFor(moves_.size(), threads, [&](uint64_t i, unsigned) {
      const Move& m = moves_[i];
      std::copy(pool_.begin() + m.from, pool_.begin() + m.from + m.size, pool_.begin() + m.to);
    }, 64);
  }
  // Appends within the room reserved (any thread, one per list).
  void push(uint32_t v, SearchArc a) {
    List& l = list_[v];
    pool_[l.first + l.size++] = a;
  }
  void eraseSwap(uint32_t v, uint32_t k) {
    List& l = list_[v];
    pool_[l.first + k] = pool_[l.first + l.size - 1];
    --l.size;
  }
  void clear(uint32_t v) { list_[v].size = 0; }
  // Rewrites the pool in node order with a little room per list, once most of it is abandoned room.
  void compactIfSparse() {
    if (pool_.size() < 2 * compacted_size_ + 1024) return;
    compact(0);
  }
  void compact(uint32_t extra_room) {
    uint64_t live = 0;
    for (const List& l : list_) live += l.size;
    if (pool_.size() < 2 * live + 1024 && extra_room == 0) {
      compacted_size_ = pool_.size();
      return;
    }
    std::vector<SearchArc> pool;
    pool.reserve(live + live / 2 + list_.size() + extra_room);
    for (List& l : list_) {
      const uint32_t first = static_cast<uint32_t>(pool.size());
      pool.insert(pool.end(), pool_.begin() + l.first, pool_.begin() + l.first + l.size);
      l.first = first;
      l.capacity = l.size + (l.size > 0 ? 1 : 0);
      pool.resize(first + l.capacity);
    }
    if (pool.size() + extra_room > std::numeric_limits<uint32_t>::max()) throw std::length_error("contraction: too many arcs");
    pool_.swap(pool);
    compacted_size_ = pool_.size();
  }

 private:
  struct List {
    uint32_t first = 0, size = 0, capacity = 0;
  };
  struct Move {
    uint32_t from, to, size;
  };
  std::vector<List> list_;
  std::vector<SearchArc> pool_;
  std::vector<Move> moves_;
  uint64_t compacted_size_ = 0;
};

struct Shortcut {
  uint32_t from, to, weight, distance, middle, hops;
};

// One thread's shortcuts of a round, on cache lines of its own (the vector header is written on
// every push_back).
struct alignas(64) ShortcutList {
  std::vector<Shortcut> list;
};

constexpr uint32_t kNone = 0xFFFFFFFFu;

// One thread's scratch for applying a round: node -> index of its arc in the list being extended
// (valid where mark == stamp; allocated on first use), and the round nodes a neighbour detaches.
struct alignas(64) ApplyScratch {
  std::vector<uint32_t> index, mark, round;
  uint32_t stamp = 0;
  void begin(uint32_t n) {
    if (mark.empty()) index.assign(n, 0), mark.assign(n, 0);
    if (++stamp == 0) {
      std::fill(mark.begin(), mark.end(), 0);
      stamp = 1;
    }
  }
  void set(uint32_t node, uint32_t k) {
    mark[node] = stamp;
    index[node] = k;
  }
};


// Min-heap of (distance << 32 | node) keys with 4 children a node: shallower than a binary heap, and
// one 64-bit comparison a step instead of a pair's two. A search never pushes the same key twice, so
// nodes come off it in the same order as off any other heap: the hierarchy does not change.
class QuadHeap {
 public:
  void clear() { key_.clear(); }
  bool empty() const { return key_.empty(); }
  uint64_t top() const { return key_[0]; }
  void push(uint64_t key) {
    size_t i = key_.size();
    key_.push_back(key);
    while (i > 0) {
      const size_t parent = (i - 1) / 4;
      if (key_[parent] <= key) break;
      key_[i] = key_[parent];
      i = parent;
    }
    key_[i] = key;
  }
  uint64_t pop() {
    const uint64_t top = key_[0], last = key_.back();
    key_.pop_back();
    const size_t n = key_.size();
    if (n == 0) return top;
    size_t i = 0;
    for (;;) {
      const size_t first = 4 * i + 1;
      if (first >= n) break;
      size_t best = first;
      for (size_t c = first + 1, end = std::min(first + 4, n); c < end; ++c)
        if (key_[c] < key_[best]) best = c;
      if (key_[best] >= last) break;
      key_[i] = key_[best];
      i = best;
    }
    key_[i] = last;
    return top;
  }

 private:
  std::vector<uint64_t> key_;
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
  explicit WitnessSearch(uint32_t n) : slot_(n) {}

  std::vector<WitnessTarget> targets;  // in descending order of need (ties in any order)
  std::vector<uint32_t> order;         // the caller's scratch to sort them

  template <typename Skip>
  void run(const SearchArcs& out, uint32_t source, uint32_t settle_limit, uint32_t scan_limit,
           Skip&& skip) {
    if (++current_ == 0) {
      for (Slot& x : slot_) x.stamp = 0;
      current_ = 1;
    }
    open_ = static_cast<uint32_t>(targets.size());
    first_open_ = 0;
    bound_ = targets.empty() ? 0 : targets[0].need;
    for (uint32_t i = 0; i < targets.size(); ++i) {
      WitnessTarget& t = targets[i];
      t.resolved = t.witnessed = false;
      Slot& x = slot_[t.node];
      x.stamp = current_;  // marked unreached (kInf) so target can be trusted
      x.dist = kInf;
      x.target = i + 1;
    }
    heap_.clear();
    set(source, 0);
    heap_.push(source);
    uint32_t settled = 0, scanned = 0;
    while (!heap_.empty() && open_ > 0) {
      const uint64_t key = heap_.pop();
      const uint32_t d = static_cast<uint32_t>(key >> 32), x = static_cast<uint32_t>(key);
      if (d != slot_[x].dist) continue;
      if (d > bound_ || ++settled > settle_limit || scanned > scan_limit) break;
      // The likely next node's arcs load while this one's are scanned (its list header was
      // prefetched when it was pushed).
      if (!heap_.empty()) out.prefetchArcs(static_cast<uint32_t>(heap_.top()));
      scanned += out.size(x);
      // The last node this search settles: what it reaches only matters as tentative distances
      // to targets, and goes on no heap.
      const bool last = settled >= settle_limit || scanned > scan_limit;
      if (isOpenTarget(x)) resolve(targets[slot_[x].target - 1], d);
      for (const SearchArc *a_it = out.begin(x), *a_end = out.end(x); a_it != a_end; ++a_it) {
        const SearchArc& a = *a_it;
        const uint64_t nd = uint64_t(d) + a.weight;
        if (nd > bound_) continue;
        Slot& y = slot_[a.node];
        if (y.stamp == current_ && nd >= y.dist) continue;
        if (skip(a.node)) continue;
        y.stamp = current_;
        y.dist = static_cast<uint32_t>(nd);
        if (y.target != 0 && !targets[y.target - 1].resolved) {
          WitnessTarget& t = targets[y.target - 1];
          if (nd <= t.need) {
            resolve(t, static_cast<uint32_t>(nd));
            if (open_ == 0) break;
          }
        }
        if (last) continue;
        out.prefetchList(a.node);
        heap_.push(nd << 32 | a.node);
      }
    }
    for (const WitnessTarget& t : targets) slot_[t.node].target = 0;
  }

 private:
  bool isOpenTarget(uint32_t v) const { return slot_[v].target != 0 && !targets[slot_[v].target - 1].resolved; }
  void resolve(WitnessTarget& t, uint32_t d) {
    t.resolved = true;
    t.witnessed = d <= t.need;
    --open_;
    // The radius is the need of the first target still open (targets are sorted by need, descending).
    while (first_open_ < targets.size() && targets[first_open_].resolved) ++first_open_;
    bound_ = first_open_ < targets.size() ? targets[first_open_].need : 0;
  }
  void set(uint32_t v, uint32_t d) {
    slot_[v].stamp = current_;
    slot_[v].dist = d;
  }
  // Everything a search keeps per node side by side: one cache miss per node reached, not three.
  struct Slot {
    uint32_t dist = kInf, stamp = 0, target = 0;  // target: index + 1 in targets, 0 if none
  };
  std::vector<Slot> slot_;
  uint32_t current_ = 0, open_ = 0, bound_ = 0, first_open_ = 0;
  QuadHeap heap_;
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
        out_search_(n_),  // filled from out_ once out_ is complete
        state_(n_, kActive),
        priority_(n_, 0),
        level_(n_, 0),
        scratch_(threads_) {
    for (uint32_t v = 0; v < n_; ++v) {
      for (uint32_t i = first_out[v]; i < first_out[v + 1]; ++i) {
        const uint32_t w = head[i];
        if (w == v) continue;  // a loop never shortens a path
        addOrImprove(v, w, weight[i], distance[i], kNoMiddle, 1);
      }
    }
    for (uint32_t v = 0; v < n_; ++v) {
      out_search_.reserve(v, static_cast<uint32_t>(out_[v].size()) + 2);
      for (const Arc& a : out_[v]) out_search_.push(v, {a.node, a.weight});
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
    std::vector<uint32_t> selected, touched, update, group_start;
    std::vector<std::pair<uint32_t, uint32_t>> grow;
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

      // 3. Apply: record final arcs and ranks, then detach the round from its neighbours and insert
      // the shortcuts, in parallel over the arc lists they change (each list has one writer, and
      // changes it in the order a serial pass would: 1 and 2 threads build the same hierarchy).
      // The round's neighbours (in id order) are found by the nodes left, each looking at its own
      // arcs, on both threads: walking the round's arcs serially was a tenth of the contraction.
      for (uint32_t v : selected) ch.rank[v] = next_rank++;
      parallelFor(remaining.size(), threads_, [&](uint64_t i, unsigned) {
        const uint32_t x = remaining[i];
        is_touched[x] = state_[x] == kActive && hasRoundNeighbour(x) ? 1 : 0;
      }, 256);
      touched.clear();
      for (uint32_t x : remaining)
        if (is_touched[x]) touched.push_back(x);
      parallelFor(touched.size(), threads_, [&](uint64_t i, unsigned t) { detachRound(touched[i], scratch_[t].round); }, 16);
      // A contracted node's lists are final (its arcs up and down the hierarchy): they stay where they
      // are until the end instead of being copied out.
      for (uint32_t v : selected) {
        out_search_.clear(v);
        state_[v] = kContracted;
      }
      // Shortcuts: the best per (tail, head), in a deterministic order whatever the threads did.
      // Out-lists are extended grouped by tail, in-lists grouped by head; a list's existing arcs are
      // indexed once per round, not scanned per shortcut (dense-core nodes have hundreds of arcs and
      // receive thousands of shortcuts).
      round_shortcuts.clear();
      for (const auto& shortcuts : per_thread) round_shortcuts.insert(round_shortcuts.end(), shortcuts.list.begin(), shortcuts.list.end());
      stats.shortcuts += round_shortcuts.size();
      parallelSort(round_shortcuts, [](const Shortcut& a, const Shortcut& b) {
        return std::tie(a.from, a.to, a.weight, a.middle) < std::tie(b.from, b.to, b.weight, b.middle);
      });
      round_shortcuts.erase(std::unique(round_shortcuts.begin(), round_shortcuts.end(),
                                        [](const Shortcut& a, const Shortcut& b) { return a.from == b.from && a.to == b.to; }),
                            round_shortcuts.end());
      groupStarts(round_shortcuts, [](const Shortcut& s) { return s.from; }, group_start);
      out_search_.compactIfSparse();
      grow.clear();
      for (size_t g = 0; g + 1 < group_start.size(); ++g) {
        const uint32_t from = round_shortcuts[group_start[g]].from;
        grow.push_back({from, static_cast<uint32_t>(out_[from].size()) + (group_start[g + 1] - group_start[g])});
      }
      out_search_.reserveMany(grow, threads_);
      parallelFor(group_start.size() - 1, threads_, [&](uint64_t g, unsigned t) {
        insertOut(round_shortcuts.data() + group_start[g], round_shortcuts.data() + group_start[g + 1], scratch_[t]);
      }, 8);
      parallelSort(round_shortcuts, [](const Shortcut& a, const Shortcut& b) { return std::tie(a.to, a.from) < std::tie(b.to, b.from); });
      groupStarts(round_shortcuts, [](const Shortcut& s) { return s.to; }, group_start);
      parallelFor(group_start.size() - 1, threads_, [&](uint64_t g, unsigned t) {
        insertIn(round_shortcuts.data() + group_start[g], round_shortcuts.data() + group_start[g + 1], scratch_[t]);
      }, 8);
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
    toCsr(out_, ch, ch.up_first, ch.up_head, ch.up_weight, ch.up_distance, ch.up_middle);
    toCsr(in_, ch, ch.down_first, ch.down_head, ch.down_weight, ch.down_distance, ch.down_middle);
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
    for (const SearchArc* a = out_search_.begin(v); a != out_search_.end(v); ++a)
      if (!smaller(a->node)) return false;
    for (const Arc& a : in_[v])
      if (!smaller(a.node)) return false;
    return true;
  }

  bool hasRoundNeighbour(uint32_t x) const {
    for (const SearchArc* a = out_search_.begin(x); a != out_search_.end(x); ++a)
      if (state_[a->node] == kInRound) return true;
    for (const Arc& a : in_[x])
      if (state_[a.node] == kInRound) return true;
    return false;
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
    // Targets in descending order of need: the out-arcs by descending weight (then index).
    std::vector<uint32_t>& order = search.order;
    order.resize(outs.size());
    for (uint32_t i = 0; i < outs.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) { return outs[x].weight > outs[y].weight || (outs[x].weight == outs[y].weight && x < y); });
    for (const Arc& a : in_[v]) {
      const uint32_t u = a.node;
      search.targets.clear();
      for (const uint32_t i : order) {
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
    for (size_t i = 0; i < arcs.size(); ++i) {
      if (arcs[i].node == node) {
        arcs[i] = arcs.back();
        arcs.pop_back();
        out_search_.eraseSwap(from, static_cast<uint32_t>(i));
        return;
      }
    }
  }

  // x drops its arcs to and from the round: each list erases the round's nodes in ascending id order
  // by swapping in its last arc, as one serial pass over the round did. x's level rises above theirs.
  void detachRound(uint32_t x, std::vector<uint32_t>& round) {
    round.clear();
    for (const Arc& a : in_[x])
      if (state_[a.node] == kInRound) round.push_back(a.node);
    std::sort(round.begin(), round.end());
    for (uint32_t v : round) {
      level_[x] = std::max(level_[x], level_[v] + 1);
      eraseArc(in_[x], v);
    }
    round.clear();
    for (const SearchArc* a = out_search_.begin(x); a != out_search_.end(x); ++a)
      if (state_[a->node] == kInRound) round.push_back(a->node);
    std::sort(round.begin(), round.end());
    for (uint32_t v : round) {
      level_[x] = std::max(level_[x], level_[v] + 1);
      eraseOutArc(x, v);
    }
  }

  static uint32_t findArc(const std::vector<Arc>& list, uint32_t node, const ApplyScratch& s, bool indexed) {
    if (indexed) return s.mark[node] == s.stamp ? s.index[node] : kNone;
    for (uint32_t k = 0; k < list.size(); ++k)
      if (list[k].node == node) return k;
    return kNone;
  }

  // One node's shortcuts on one of its lists (one per other end): each replaces the arc it
  // duplicates when shorter, or is appended; appended / lowered keep what mirrors the list in step.
  template <typename OtherEnd, typename Appended, typename Lowered>
  void insertShortcuts(std::vector<Arc>& list, const Shortcut* first, const Shortcut* last, ApplyScratch& s, OtherEnd&& other_end,
                       Appended&& appended, Lowered&& lowered) {
    const bool indexed = uint64_t(last - first) * list.size() > 64;
    if (indexed) {
      s.begin(n_);
      for (uint32_t k = 0; k < list.size(); ++k) s.set(list[k].node, k);
    }
    const uint32_t existing = static_cast<uint32_t>(list.size());
    for (const Shortcut* sc = first; sc != last; ++sc) {
      const uint32_t node = other_end(*sc);
      const uint32_t k = existing == 0 ? kNone : findArc(list, node, s, indexed);
      if (k == kNone) {
        list.push_back({node, sc->weight, sc->distance, sc->middle, sc->hops});
        appended(*sc);
      } else if (sc->weight < list[k].weight) {
        list[k] = {node, sc->weight, sc->distance, sc->middle, sc->hops};
        lowered(k, *sc);
      }
    }
  }

  // A tail's shortcuts (one per head); its witness-search out-list follows.
  void insertOut(const Shortcut* first, const Shortcut* last, ApplyScratch& s) {
    const uint32_t from = first->from;
    insertShortcuts(
        out_[from], first, last, s, [](const Shortcut& sc) { return sc.to; },
        [&](const Shortcut& sc) { out_search_.push(from, {sc.to, sc.weight}); },  // room reserved before the parallel pass
        [&](uint32_t k, const Shortcut& sc) { out_search_.at(from, k).weight = sc.weight; });
  }

  // A head's shortcuts (one per tail) on its in-list.
  void insertIn(const Shortcut* first, const Shortcut* last, ApplyScratch& s) {
    insertShortcuts(
        in_[first->to], first, last, s, [](const Shortcut& sc) { return sc.from; }, [](const Shortcut&) {}, [](uint32_t, const Shortcut&) {});
  }

  template <typename Key>
  static void groupStarts(const std::vector<Shortcut>& list, Key&& key, std::vector<uint32_t>& start) {
    start.clear();
    for (uint32_t i = 0; i < list.size(); ++i)
      if (i == 0 || key(list[i]) != key(list[i - 1])) start.push_back(i);
    start.push_back(static_cast<uint32_t>(list.size()));
  }

  void addOrImprove(uint32_t from, uint32_t to, uint32_t weight, uint32_t distance, uint32_t middle, uint32_t hops) {
    for (size_t i = 0; i < out_[from].size(); ++i) {
      Arc& a = out_[from][i];
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

  // The lists of the contracted nodes as CSR in rank order (heads and middles as ranks), then freed.
  void toCsr(std::vector<std::vector<Arc>>& lists, const ContractionHierarchy& ch, std::vector<uint32_t>& first,
             std::vector<uint32_t>& head, std::vector<uint32_t>& weight, std::vector<uint32_t>& distance,
             std::vector<uint32_t>& middle) {
    first.assign(n_ + 1, 0);
    for (uint32_t r = 0; r < n_; ++r) first[r + 1] = first[r] + static_cast<uint32_t>(lists[ch.input_node[r]].size());
    head.resize(first[n_]);
    weight.resize(first[n_]);
    distance.resize(first[n_]);
    middle.resize(first[n_]);
    parallelFor(n_, threads_, [&](uint64_t r, unsigned) {
      std::vector<Arc>& arcs = lists[ch.input_node[r]];
      for (uint32_t i = first[r], k = 0; k < arcs.size(); ++i, ++k) {
        const Arc& a = arcs[k];
        head[i] = ch.rank[a.node];
        weight[i] = a.weight;
        distance[i] = a.distance;
        middle[i] = a.middle == kNoMiddle ? kNoMiddle : ch.rank[a.middle];
      }
      std::vector<Arc>().swap(arcs);
    }, 1024);
  }

  // std::sort on two threads: each sorts a half, then the halves are merged.
  template <typename Less>
  void parallelSort(std::vector<Shortcut>& list, Less&& less) {
    if (threads_ < 2 || list.size() < 65536) {
      std::sort(list.begin(), list.end(), less);
      return;
    }
    const auto middle = list.begin() + list.size() / 2;
    parallelFor(2, 2, [&](uint64_t half, unsigned) {
      if (half == 0) std::sort(list.begin(), middle, less);
      else std::sort(middle, list.end(), less);
    }, 1);
    std::inplace_merge(list.begin(), middle, list.end(), less);
  }

  uint32_t n_;
  unsigned threads_;
  ContractionOptions options_;
  std::vector<std::vector<Arc>> out_, in_;
  SearchArcs out_search_;  // out_ as the witness searches read it, same order
  std::vector<uint8_t> state_;
  std::vector<float> priority_;
  std::vector<uint32_t> level_;
  std::vector<ApplyScratch> scratch_;  // per thread
  std::vector<WitnessSearch> searches_;
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
