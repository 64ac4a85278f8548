#include "ch/ch_query.h"

#include <algorithm>
#include <optional>

#include "common/error.h"

namespace waymark {

constexpr uint32_t kNoParent = 0xFFFFFFFFu;

constexpr uint32_t kNoArc = 0xFFFFFFFFu;
// Far above any label, yet a label plus an arc weight cannot overflow.
constexpr int64_t kUnreached = std::numeric_limits<int64_t>::max() / 4;
constexpr int64_t kEmpty = std::numeric_limits<int64_t>::max();  // minKey of an empty heap
constexpr int kForward = 0, kBackward = 1;

CHQuery::CHQuery(uint32_t n) : node_count_(n) {
  for (int side : {kForward, kBackward}) {
    dist_[side].assign(n, kUnreached);
    parent_[side].resize(n);
  }
}

// A 4-ary min-heap by key with lazy deletion: a node is pushed again when its label drops, and an
// entry whose key is no longer its node's label is skipped when it comes to the top.
[[gnu::always_inline]] inline void CHQuery::heapPush(int side, uint32_t node, int64_t key) {
  std::vector<HeapEntry>& h = heap_[side];
  size_t i = h.size();
  h.push_back({key, node});
  while (i > 0) {
    const size_t parent = (i - 1) / 4;
    if (!(key < h[parent].key)) break;
    h[i] = h[parent];
    i = parent;
  }
  h[i] = {key, node};
}

[[gnu::always_inline]] inline void CHQuery::heapRemoveTop(int side) {
  std::vector<HeapEntry>& h = heap_[side];
  const HeapEntry last = h.back();
  h.pop_back();
  const size_t n = h.size();
  if (n == 0) return;
  size_t i = 0;
  for (;;) {
    const size_t first = i * 4 + 1;
    if (first >= n) break;
    size_t best = first;
    const size_t end = std::min(first + 4, n);
    for (size_t c = first + 1; c < end; ++c)
      if (h[c].key < h[best].key) best = c;
    if (!(h[best].key < last.key)) break;
    h[i] = h[best];
    i = best;
  }
  h[i] = last;
}

[[gnu::always_inline]] inline int64_t CHQuery::minKey(int side) {
  // Labels only drop and a node is pushed again only with a strictly smaller key, so the entry
  // carrying its node's label is the one popped; the others are stale.
  std::vector<HeapEntry>& h = heap_[side];
  while (!h.empty() && dist_[side][h.front().node] != h.front().key) heapRemoveTop(side);
  return h.empty() ? kEmpty : h.front().key;
}

struct CHQuery::Search {
  int64_t best;
  int64_t shift;
  uint32_t meeting;  // the node where both halves meet, or the forward half's core node ...
  uint32_t meeting_to;  // ... and the backward half's, joined by the transit table
  uint32_t core_end;  // query ids from the transit core's first on are core nodes (node count without a table)
};

// Core node j has just got `label` on this side: it is not expanded, but every core node the other
// side has reached is one table look-up away.
template <int kSide>
[[gnu::always_inline]] inline void CHQuery::meetInCore(const TransitTable& t, uint32_t j, int64_t label, bool fresh, Search& s) {
  constexpr int kOther = 1 - kSide;
  if (fresh) core_[kSide].push_back(j);
  ++counts_.core_labels;
  const int64_t* other = dist_[kOther].data() + t.first;
  const uint32_t* table = t.duration_ms.data();
  const size_t k = t.size;
  counts_.core_pairs += core_[kOther].size();
  for (const uint32_t o : core_[kOther]) {
    const uint32_t via = kSide == kForward ? table[j * k + o] : table[o * k + j];
    if (via == kNoTransitPath) continue;
    const int64_t total = label + via + other[o];
    if (total < s.best && total >= s.shift) {
      s.best = total;
      s.meeting = t.first + (kSide == kForward ? j : o);
      s.meeting_to = t.first + (kSide == kForward ? o : j);
    }
  }
}

template <int kSide>
void CHQuery::seed(const CHQueryLayout& g, uint32_t node, int64_t label, int64_t cm, Search& s) {
  int64_t& d = dist_[kSide][node];
  if (d <= label) return;
  const bool fresh = d == kUnreached;
  if (fresh) touched_[kSide].push_back(node);
  d = label;
  parent_[kSide][node] = {kNoParent, kNoArc};
  if (node >= s.core_end) meetInCore<kSide>(g.transit, node - g.transit.first, label, fresh, s);
  else heapPush(kSide, node, label);
  for (Seed& e : seeds_[kSide])
    if (e.node == node) {
      e.cm = cm;
      return;
    }
  seeds_[kSide].push_back({node, cm});
}

// Distance along the search tree from a seed to `node`: summed over the few arcs of the path found
// instead of carried in every label.
int64_t CHQuery::pathCm(const CHGraph& ch, int side, uint32_t node) const {
  const CHQueryLayout& g = ch.queryLayout();
  const auto& distance = side == kForward ? ch.up_distance : ch.down_distance;
  int64_t cm = 0;
  uint32_t v = node;
  for (Parent p; (p = parent_[side][v]).arc != kNoArc; v = p.node) cm += distance[g.origin[p.arc]];
  for (const Seed& s : seeds_[side])
    if (s.node == v) return cm + s.cm;
  throw Error("Internal", "CH search path does not start at a seed");
}

// Settles the smallest node of one side: meeting test, stall-on-demand (u is reached suboptimally
// if a higher node already offers a shorter way in), then relaxes u's arcs upwards. Forward relaxes
// up arcs and stalls over down arcs; backward the other way round.
template <int kSide>
void CHQuery::settle(const CHQueryLayout& g, Search& s) {
  constexpr int kOther = 1 - kSide;
  std::vector<HeapEntry>& h = heap_[kSide];
  const uint32_t u = h.front().node;
  const int64_t d = h.front().key;
  heapRemoveTop(kSide);
  ++settled_;
  // The next node this side settles is likely the new top: start loading its arcs now (its offsets
  // were prefetched when it was pushed), so the misses overlap with this node's work.
  if (!h.empty()) {
    const uintptr_t next_arcs = reinterpret_cast<uintptr_t>(g.arcs.data() + g.first[2 * size_t(h.front().node)]);
    __builtin_prefetch(reinterpret_cast<const void*>(next_arcs));
    __builtin_prefetch(reinterpret_cast<const void*>(next_arcs + 64));
  }
  int64_t* const dist = dist_[kSide].data();
  const int64_t other = dist_[kOther][u];
  if (other != kUnreached) {
    const int64_t total = d + other;
    if (total < s.best && total >= s.shift) {
      s.best = total;
      s.meeting = s.meeting_to = u;
    }
  }
  const uint32_t* first = g.first.data() + 2 * size_t(u);
  const CHQueryArc* arcs = g.arcs.data();
  const uint32_t relax_begin = first[kSide], relax_end = first[kSide + 1];
  const uint32_t stall_begin = first[kOther], stall_end = first[kOther + 1];
  for (uint32_t i = stall_begin; i < stall_end; ++i)
    if (dist[arcs[i].head] + arcs[i].weight < d) {
      counts_.stall_arcs += i + 1 - stall_begin;
      ++counts_.stalled;
      return;
    }
  counts_.stall_arcs += stall_end - stall_begin;
  counts_.relax_arcs += relax_end - relax_begin;
  for (uint32_t i = relax_begin; i < relax_end; ++i) {
    const uint32_t x = arcs[i].head;
    const int64_t nd = d + arcs[i].weight;
    // A label at or above the best total cannot lead to a better one (the other side's are >= 0).
    if (nd >= s.best || dist[x] <= nd) continue;
    const bool fresh = dist[x] == kUnreached;
    if (fresh) touched_[kSide].push_back(x);
    dist[x] = nd;
    parent_[kSide][x] = {u, i};
    if (x >= s.core_end) {
      meetInCore<kSide>(g.transit, x - g.transit.first, nd, fresh, s);
      continue;
    }
    __builtin_prefetch(g.arcs.data() + g.first[2 * size_t(x)]);
    ++counts_.pushes;
    heapPush(kSide, x, nd);
  }
}

CHResult CHQuery::run(const CHGraph& ch, std::span<const SearchEndpoint> sources, std::span<const SearchEndpoint> targets,
                      int64_t bound_ms) {
  const CHQueryLayout& g = ch.queryLayout();
  if (node_count_ != ch.nodeCount()) throw Error("Internal", "CH query scratch sized for another graph");
  for (int side : {kForward, kBackward}) {
    for (uint32_t v : touched_[side]) dist_[side][v] = kUnreached;
    touched_[side].clear();
    heap_[side].clear();
    seeds_[side].clear();
    core_[side].clear();
  }
  settled_ = 0;
  counts_ = CHSearchCounts{};
  last_ = CHResult{};
  // Forward labels are shifted by `shift` so that every label is >= 0; totals subtract it again.
  int64_t shift = 0;
  for (const auto& s : sources) shift = std::max(shift, -s.offset_ms);
  Search s{bound_ms == std::numeric_limits<int64_t>::max() ? bound_ms : bound_ms + shift, shift, kNoParent, kNoParent,
           g.transit.size > 0 ? g.transit.first : node_count_};
  for (const auto& e : sources) seed<kForward>(g, g.query_node[e.node], e.offset_ms + shift, e.offset_cm, s);
  for (const auto& e : targets) seed<kBackward>(g, g.query_node[e.node], e.offset_ms, e.offset_cm, s);

  // The first nodes settled are the seeds: start loading their arcs (independent misses, overlapped).
  for (int side : {kForward, kBackward})
    for (const HeapEntry& e : heap_[side]) __builtin_prefetch(g.arcs.data() + g.first[2 * size_t(e.node)]);

  for (;;) {
    const int64_t f = minKey(kForward), b = minKey(kBackward);
    const bool f_ok = f < s.best, b_ok = b < s.best;
    if (!f_ok && !b_ok) break;
    if (f_ok && (!b_ok || f <= b)) settle<kForward>(g, s);
    else settle<kBackward>(g, s);
  }
  counts_.settled = settled_;
  if (s.meeting != kNoParent) {
    last_.found = true;
    last_.duration_ms = s.best - shift;
    last_.distance_cm = pathCm(ch, kForward, s.meeting) + pathCm(ch, kBackward, s.meeting_to);
    if (s.meeting != s.meeting_to) {
      ++counts_.core_paths;
      const TransitTable& t = g.transit;
      last_.distance_cm += t.distance_cm[size_t(s.meeting - t.first) * t.size + (s.meeting_to - t.first)];
    }
    last_.meeting = g.node[s.meeting];
    meeting_ = s.meeting;
    meeting_to_ = s.meeting_to;
  }
  return last_;
}

namespace {

// The middle of the hierarchy's arc tail -> head (kNoMiddle for an original arc): an arc up from
// the lower tail is in tail's upward list, an arc down from the higher tail (`down`) in head's
// downward list, whose heads are the tails. Nothing when there is no such arc.
std::optional<uint32_t> arcMiddle(const CHGraph& ch, uint32_t tail, uint32_t head, bool down) {
  const uint32_t at = down ? head : tail, other = down ? tail : head;
  const auto& first = down ? ch.down_first : ch.up_first;
  const auto& heads = down ? ch.down_head : ch.up_head;
  for (uint32_t i = first[at]; i < first[at + 1]; ++i)
    if (heads[i] == other) return (down ? ch.down_middle : ch.up_middle)[i];
  return std::nullopt;
}

}  // namespace

void unpackArc(const CHGraph& ch, uint32_t tail, uint32_t head, uint32_t middle, std::vector<uint32_t>& out) {
  struct Item {
    uint32_t tail, head, middle;
  };
  // One stack per thread, kept between calls: a path unpacks one arc at a time, and a fresh
  // vector for each was a heap allocation per arc.
  thread_local std::vector<Item> stack;
  stack.clear();
  stack.push_back({tail, head, middle});
  while (!stack.empty()) {
    const Item it = stack.back();
    stack.pop_back();
    if (it.middle == kNoMiddle) {
      out.push_back(it.head);
      continue;
    }
    const uint32_t m = it.middle;
    // tail -> m goes down to m, m -> head up from it.
    const std::optional<uint32_t> first_middle = arcMiddle(ch, it.tail, m, true), second_middle = arcMiddle(ch, m, it.head, false);
    if (!first_middle || !second_middle) throw Error("MapCorrupt", "contraction hierarchy shortcut cannot be unpacked");
    // Second half goes on the stack first so the first half is emitted first.
    stack.push_back({m, it.head, *second_middle});
    stack.push_back({it.tail, m, *first_middle});
  }
}

std::vector<uint32_t> CHQuery::path(const CHGraph& ch) const {
  if (!last_.found) return {};
  const CHQueryLayout& g = ch.queryLayout();
  std::vector<uint32_t> result;
  // Forward half: meeting back to its source, then reversed into source -> meeting order.
  std::vector<Parent> up_arcs;
  for (uint32_t v = meeting_; parent_[kForward][v].arc != kNoArc; v = parent_[kForward][v].node) up_arcs.push_back(parent_[kForward][v]);
  std::reverse(up_arcs.begin(), up_arcs.end());
  result.push_back(g.node[up_arcs.empty() ? meeting_ : up_arcs.front().node]);
  for (const Parent& p : up_arcs) unpackArc(ch, g.node[p.node], g.node[g.arcs[p.arc].head], ch.up_middle[g.origin[p.arc]], result);
  // Through the transit core: the table's path from meeting_ to meeting_to_, hop by hop back from
  // its end, each hop an arc between two core nodes.
  if (meeting_to_ != meeting_) {
    const TransitTable& t = g.transit;
    const uint32_t from = meeting_ - t.first;
    std::vector<uint16_t> hops;  // core indices from the end back, each with its hop's flag
    for (uint32_t v = meeting_to_ - t.first; v != from;) {
      const uint16_t h = t.last_hop[size_t(from) * t.size + v];
      hops.push_back(static_cast<uint16_t>(v | (h & kTransitDownHop)));
      v = h & ~kTransitDownHop;
    }
    for (uint32_t k = static_cast<uint32_t>(hops.size()), tail = from; k-- > 0;) {
      const uint32_t head = hops[k] & ~kTransitDownHop;
      const uint32_t tail_node = g.node[t.first + tail], head_node = g.node[t.first + head];
      const std::optional<uint32_t> middle = arcMiddle(ch, tail_node, head_node, (hops[k] & kTransitDownHop) != 0);
      if (!middle) throw Error("Internal", "transit table hop is no arc of the hierarchy");
      unpackArc(ch, tail_node, head_node, *middle, result);
      tail = head;
    }
  }
  // Backward half: arcs go from the meeting node down to a target (each stored in the lower node's
  // down list, its head the higher node).
  for (uint32_t v = meeting_to_; parent_[kBackward][v].arc != kNoArc; v = parent_[kBackward][v].node) {
    const Parent p = parent_[kBackward][v];
    unpackArc(ch, g.node[v], g.node[p.node], ch.down_middle[g.origin[p.arc]], result);
  }
  for (uint32_t& v : result) v = ch.input_node[v];
  return result;
}

std::vector<CHQuery::Meeting> CHQuery::explore(const CHGraph& ch, std::span<const SearchEndpoint> sources,
                                               std::span<const SearchEndpoint> targets, int64_t limit_ms) {
  if (!forward_) {
    forward_ = std::make_unique<Side>(node_count_);
    backward_ = std::make_unique<Side>(node_count_);
  }
  Side& forward = *forward_;
  Side& backward = *backward_;
  forward.reset();
  backward.reset();
  settled_ = 0;
  last_ = CHResult{};
  int64_t shift = 0;
  for (const auto& s : sources) shift = std::max(shift, -s.offset_ms);
  auto seed = [&ch](Side& side, const SearchEndpoint& e, int64_t label) {
    const uint32_t node = ch.rank[e.node];
    if (side.reached(node) && side.label(node).dist <= label) return;
    Label& l = side.touch(node);
    l.dist = label;
    l.cm = e.offset_cm;
    l.parent = kNoParent;
    side.push(node, label);
  };
  for (const auto& s : sources) seed(forward, s, s.offset_ms + shift);
  for (const auto& t : targets) seed(backward, t, t.offset_ms);
  std::vector<uint32_t> backward_settled;
  auto search = [&](Side& self, bool is_forward, int64_t limit) {
    const auto& first = is_forward ? ch.up_first : ch.down_first;
    const auto& head = is_forward ? ch.up_head : ch.down_head;
    const auto& weight = is_forward ? ch.up_weight : ch.down_weight;
    const auto& distance = is_forward ? ch.up_distance : ch.down_distance;
    while (!self.empty() && self.minKey() <= limit) {
      int64_t d;
      const uint32_t u = self.pop(d);
      ++settled_;
      if (!is_forward) backward_settled.push_back(u);
      for (uint32_t i = first[u]; i < first[u + 1]; ++i) {
        const uint32_t x = head[i];
        const int64_t nd = d + weight[i];
        if (self.reached(x) && self.label(x).dist <= nd) continue;
        Label& l = self.touch(x);
        l.dist = nd;
        l.cm = self.label(u).cm + distance[i];
        l.parent = u;
        l.parent_arc = i;
        self.push(x, nd);
      }
    }
  };
  search(forward, true, limit_ms + shift);
  search(backward, false, limit_ms + shift);
  std::vector<Meeting> out;
  for (uint32_t v : backward_settled) {
    if (!forward.reached(v)) continue;
    const int64_t total = forward.label(v).dist - shift + backward.label(v).dist;
    if (total <= limit_ms && total >= 0) out.push_back({v, total, forward.label(v).cm + backward.label(v).cm});
  }
  std::sort(out.begin(), out.end(), [](const Meeting& a, const Meeting& b) { return a.duration_ms < b.duration_ms; });
  return out;
}

std::vector<uint32_t> CHQuery::pathVia(const CHGraph& ch, uint32_t meeting) const {
  if (!forward_) throw Error("Internal", "pathVia() before explore()");
  const Side& forward_side = *forward_;
  const Side& backward_side = *backward_;
  std::vector<uint32_t> result;
  // Forward half: meeting back to its source, then reversed into source -> meeting order.
  std::vector<std::pair<uint32_t, uint32_t>> up_arcs;  // (tail node, arc index in up graph)
  for (uint32_t v = meeting; forward_side.label(v).parent != kNoParent; v = forward_side.label(v).parent)
    up_arcs.push_back({forward_side.label(v).parent, forward_side.label(v).parent_arc});
  std::reverse(up_arcs.begin(), up_arcs.end());
  uint32_t start = up_arcs.empty() ? meeting : up_arcs.front().first;
  result.push_back(start);
  for (const auto& [tail, arc] : up_arcs) unpackArc(ch, tail, ch.up_head[arc], ch.up_middle[arc], result);
  // (backward half appended below; everything is translated back to input nodes at the end)
  // Backward half: arcs go from the meeting node down to a target.
  for (uint32_t v = meeting; backward_side.label(v).parent != kNoParent; v = backward_side.label(v).parent) {
    const uint32_t lower = backward_side.label(v).parent;
    const uint32_t arc = backward_side.label(v).parent_arc;  // in lower's down list, head = v: original arc v -> lower
    unpackArc(ch, v, lower, ch.down_middle[arc], result);
  }
  for (uint32_t& v : result) v = ch.input_node[v];
  return result;
}

}  // namespace waymark
