#include "ch/ch_query.h"

#include <algorithm>

#include "common/error.h"

namespace waymark {

constexpr uint32_t kNoParent = 0xFFFFFFFFu;
constexpr uint32_t kNoArc = 0xFFFFFFFFu;
// Far above any label, yet a label plus an arc weight cannot overflow.
constexpr int64_t kUnreached = std::numeric_limits<int64_t>::max() / 4;
constexpr int64_t kEmpty = std::numeric_limits<int64_t>::max();  // minKey of an empty heap
constexpr int kForward = 0, kBackward = 1;

CHQuery::CHQuery(uint32_t n) : labels_(n, Label{{kUnreached, kUnreached}, {kNoArc, kNoArc}, 0, 0}) {}

[[gnu::always_inline]] inline void CHQuery::reset() {
  if (++stamp_ == 0) {
    for (Label& l : labels_) l.stamp = 0;
    stamp_ = 1;
  }
  for (int side : {kForward, kBackward}) {
    heap_[side].clear();
    seeds_[side].clear();
  }
  settled_ = 0;
  last_ = CHResult{};
}

[[gnu::always_inline]] inline CHQuery::Label& CHQuery::touch(uint32_t v) {
  Label& l = labels_[v];
  if (l.stamp != stamp_) l = Label{{kUnreached, kUnreached}, {kNoArc, kNoArc}, stamp_, 0};
  return l;
}

// A 4-ary min-heap by key; stale entries stay until popped.
[[gnu::always_inline]] inline void CHQuery::push(int side, uint32_t node, int64_t key) {
  std::vector<HeapEntry>& h = heap_[side];
  size_t i = h.size();
  h.push_back({key, node});
  const HeapEntry e = h[i];
  while (i > 0) {
    const size_t parent = (i - 1) / 4;
    if (!(e.key < h[parent].key)) break;
    h[i] = h[parent];
    i = parent;
  }
  h[i] = e;
}

[[gnu::always_inline]] inline void CHQuery::removeTop(int side) {
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
  // An entry is live while it carries its node's label (labels only go down, and a node is pushed
  // again only with a strictly smaller key, so a live entry is popped once): drop stale tops.
  std::vector<HeapEntry>& h = heap_[side];
  while (!h.empty() && labels_[h.front().node].dist[side] != h.front().key) removeTop(side);
  return h.empty() ? kEmpty : h.front().key;
}

[[gnu::always_inline]] inline uint32_t CHQuery::popMin(int side, int64_t& key) {
  const HeapEntry top = heap_[side].front();
  removeTop(side);
  key = top.key;
  return top.node;
}

void CHQuery::seed(const CHSearchGraph& g, const CHGraph& ch, int side, const SearchEndpoint& e, int64_t label) {
  const uint32_t node = g.id_of_rank[ch.rank[e.node]];
  Label& l = touch(node);
  if (l.dist[side] <= label) return;
  l.dist[side] = label;
  l.parent_arc[side] = kNoArc;
  push(side, node, label);
  for (Seed& s : seeds_[side])
    if (s.node == node) {
      s.cm = e.offset_cm;
      return;
    }
  seeds_[side].push_back({node, e.offset_cm});
}

int64_t CHQuery::pathCm(const CHSearchGraph& g, const CHGraph& ch, int side, uint32_t node) const {
  const auto& distance = side == kForward ? ch.up_distance : ch.down_distance;
  int64_t cm = 0;
  uint32_t v = node;
  for (uint32_t arc; (arc = labels_[v].parent_arc[side]) != kNoArc; v = g.arc_tail[arc]) cm += distance[g.ch_arc[arc]];
  for (const Seed& s : seeds_[side])
    if (s.node == v) return cm + s.cm;
  throw Error("Internal", "CH search path does not start at a seed");
}

struct CHQuery::Search {
  int64_t best;
  int64_t shift;
  uint32_t meeting;  // search id
};

// Settles the smallest node of one side: meeting test, stall-on-demand (u is reached suboptimally
// if a higher node already offers a shorter way in), then relaxes u's arcs upwards. Forward relaxes
// up arcs and stalls over down arcs; backward the other way round.
template <int kSide>
void CHQuery::settle(const CHSearchGraph& g, Search& s) {
  constexpr int kOther = 1 - kSide;
  int64_t d;
  const uint32_t u = popMin(kSide, d);
  ++settled_;
  const Label& lu = labels_[u];
  if (lu.dist[kOther] != kUnreached) {
    const int64_t total = d + lu.dist[kOther];
    if (total < s.best && total >= s.shift) {
      s.best = total;
      s.meeting = u;
    }
  }
  const CHNodeArcs a = g.nodes[u], b = g.nodes[u + 1];
  const CHSearchArc* arcs = g.arcs.data();
  const uint32_t relax_begin = kSide == kForward ? a.first : a.down_first, relax_end = kSide == kForward ? a.down_first : b.first;
  const uint32_t stall_begin = kSide == kForward ? a.down_first : a.first, stall_end = kSide == kForward ? b.first : a.down_first;
  for (uint32_t i = stall_begin; i < stall_end; ++i) {
    const Label& lx = labels_[arcs[i].head];
    if (lx.stamp == stamp_ && lx.dist[kSide] + arcs[i].weight < d) return;  // kUnreached + weight cannot overflow
  }
  for (uint32_t i = relax_begin; i < relax_end; ++i) {
    const int64_t nd = d + arcs[i].weight;
    if (nd >= s.best) continue;  // no path through the head can beat the best one found
    Label& lx = touch(arcs[i].head);
    if (lx.dist[kSide] <= nd) continue;
    lx.dist[kSide] = nd;
    lx.parent_arc[kSide] = i;
    push(kSide, arcs[i].head, nd);
  }
}

CHResult CHQuery::run(const CHGraph& ch, std::span<const SearchEndpoint> sources, std::span<const SearchEndpoint> targets,
                      int64_t bound_ms) {
  const CHSearchGraph& g = ch.search();
  reset();
  // Forward labels are shifted by `shift` so that every label is >= 0; totals subtract it again.
  Search s{0, 0, kNoParent};
  for (const auto& e : sources) s.shift = std::max(s.shift, -e.offset_ms);
  for (const auto& e : sources) seed(g, ch, kForward, e, e.offset_ms + s.shift);
  for (const auto& e : targets) seed(g, ch, kBackward, e, e.offset_ms);
  s.best = bound_ms == std::numeric_limits<int64_t>::max() ? bound_ms : bound_ms + s.shift;

  // Interleaved: always the side with the smaller key; stop once neither can improve on the best.
  for (;;) {
    const int64_t f = minKey(kForward), b = minKey(kBackward);
    const bool f_ok = f < s.best, b_ok = b < s.best;
    if (!f_ok && !b_ok) break;
    if (f_ok && (!b_ok || f <= b)) settle<kForward>(g, s);
    else settle<kBackward>(g, s);
  }
  if (s.meeting != kNoParent) {
    last_.found = true;
    last_.duration_ms = s.best - s.shift;
    last_.distance_cm = pathCm(g, ch, kForward, s.meeting) + pathCm(g, ch, kBackward, s.meeting);
    last_.meeting = g.rank_of_id[s.meeting];
  }
  return last_;
}

void unpackArc(const CHGraph& ch, uint32_t tail, uint32_t head, uint32_t middle, std::vector<uint32_t>& out) {
  struct Item {
    uint32_t tail, head, middle;
  };
  std::vector<Item> stack{{tail, head, middle}};
  while (!stack.empty()) {
    const Item it = stack.back();
    stack.pop_back();
    if (it.middle == kNoMiddle) {
      out.push_back(it.head);
      continue;
    }
    const uint32_t m = it.middle;
    // tail -> m is stored in m's downward list (head = tail); m -> head in m's upward list.
    uint32_t first_middle = kNoParent, second_middle = kNoParent;
    bool found_first = false, found_second = false;
    for (uint32_t i = ch.down_first[m]; i < ch.down_first[m + 1]; ++i)
      if (ch.down_head[i] == it.tail) {
        first_middle = ch.down_middle[i];
        found_first = true;
        break;
      }
    for (uint32_t i = ch.up_first[m]; i < ch.up_first[m + 1]; ++i)
      if (ch.up_head[i] == it.head) {
        second_middle = ch.up_middle[i];
        found_second = true;
        break;
      }
    if (!found_first || !found_second) throw Error("MapCorrupt", "contraction hierarchy shortcut cannot be unpacked");
    // Second half goes on the stack first so the first half is emitted first.
    stack.push_back({m, it.head, second_middle});
    stack.push_back({it.tail, m, first_middle});
  }
}

std::vector<uint32_t> CHQuery::path(const CHGraph& ch) const {
  if (!last_.found) return {};
  return pathVia(ch, last_.meeting);
}

std::vector<CHQuery::Meeting> CHQuery::explore(const CHGraph& ch, std::span<const SearchEndpoint> sources,
                                               std::span<const SearchEndpoint> targets, int64_t limit_ms) {
  const CHSearchGraph& g = ch.search();
  reset();
  int64_t shift = 0;
  for (const auto& e : sources) shift = std::max(shift, -e.offset_ms);
  for (const auto& e : sources) seed(g, ch, kForward, e, e.offset_ms + shift);
  for (const auto& e : targets) seed(g, ch, kBackward, e, e.offset_ms);
  std::vector<uint32_t> backward_settled;
  auto search = [&](int side, int64_t limit) {
    for (int64_t k; (k = minKey(side)) != kEmpty && k <= limit;) {
      int64_t d;
      const uint32_t u = popMin(side, d);
      ++settled_;
      if (side == kBackward) backward_settled.push_back(u);
      const uint32_t begin = side == kForward ? g.nodes[u].first : g.nodes[u].down_first;
      const uint32_t end = side == kForward ? g.nodes[u].down_first : g.nodes[u + 1].first;
      for (uint32_t i = begin; i < end; ++i) {
        const int64_t nd = d + g.arcs[i].weight;
        Label& l = touch(g.arcs[i].head);
        if (l.dist[side] <= nd) continue;
        l.dist[side] = nd;
        l.parent_arc[side] = i;
        push(side, g.arcs[i].head, nd);
      }
    }
  };
  search(kForward, limit_ms + shift);
  search(kBackward, limit_ms + shift);
  std::vector<Meeting> out;
  for (uint32_t v : backward_settled) {
    const Label& l = labels_[v];
    if (l.dist[kForward] == kUnreached) continue;
    const int64_t total = l.dist[kForward] - shift + l.dist[kBackward];
    if (total <= limit_ms && total >= 0) out.push_back({v, total, 0});
  }
  std::sort(out.begin(), out.end(), [](const Meeting& a, const Meeting& b) { return a.duration_ms < b.duration_ms; });
  // Every label on these paths is final (no stalling, no early stop), so distances can be summed
  // from the arcs now.
  for (Meeting& m : out) {
    m.distance_cm = pathCm(g, ch, kForward, m.node) + pathCm(g, ch, kBackward, m.node);
    m.node = g.rank_of_id[m.node];
  }
  return out;
}

std::vector<uint32_t> CHQuery::pathVia(const CHGraph& ch, uint32_t meeting_rank) const {
  const CHSearchGraph& g = ch.search();
  const uint32_t meeting = g.id_of_rank[meeting_rank];
  std::vector<uint32_t> result;
  // Forward half: meeting back to its source, then reversed into source -> meeting order.
  std::vector<std::pair<uint32_t, uint32_t>> up_arcs;  // (tail search id, search arc)
  for (uint32_t v = meeting, arc; (arc = labels_[v].parent_arc[kForward]) != kNoArc; v = g.arc_tail.at(arc)) up_arcs.push_back({g.arc_tail.at(arc), arc});
  std::reverse(up_arcs.begin(), up_arcs.end());
  result.push_back(up_arcs.empty() ? meeting_rank : g.rank_of_id[up_arcs.front().first]);
  for (const auto& [tail, arc] : up_arcs) {
    const uint32_t i = g.ch_arc[arc];
    unpackArc(ch, g.rank_of_id[tail], ch.up_head[i], ch.up_middle[i], result);
  }
  // Backward half: arcs go from the meeting node down to a target.
  for (uint32_t v = meeting, arc; (arc = labels_[v].parent_arc[kBackward]) != kNoArc; v = g.arc_tail.at(arc)) {
    const uint32_t lower = g.rank_of_id[g.arc_tail.at(arc)];  // the arc lies in lower's down list: original arc v -> lower
    unpackArc(ch, g.rank_of_id[v], lower, ch.down_middle[g.ch_arc[arc]], result);
  }
  for (uint32_t& v : result) v = ch.input_node[v];
  return result;
}

}  // namespace waymark
