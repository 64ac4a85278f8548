#include "ch/ch_query.h"

#include <algorithm>

#include "common/error.h"

namespace waymark {

constexpr uint32_t kNoParent = 0xFFFFFFFFu;

constexpr uint32_t kPopped = 0xFFFFFFFFu;

void CHQuery::Side::reset() {
  if (++current == 0) {
    for (auto& l : labels) l.stamp = 0;
    current = 1;
  }
  heap.clear();
}

void CHQuery::Side::push(uint32_t v, int64_t key) {
  Label& l = labels[v];
  if (l.heap_pos == kPopped) return;
  if (l.heap_pos < heap.size() && heap[l.heap_pos].node == v) {
    if (key < heap[l.heap_pos].key) {
      heap[l.heap_pos].key = key;
      siftUp(l.heap_pos);
    }
    return;
  }
  l.heap_pos = static_cast<uint32_t>(heap.size());
  heap.push_back({key, v});
  siftUp(l.heap_pos);
}

uint32_t CHQuery::Side::pop(int64_t& key) {
  const HeapEntry top = heap.front();
  labels[top.node].heap_pos = kPopped;
  key = top.key;
  const HeapEntry last = heap.back();
  heap.pop_back();
  if (!heap.empty()) {
    heap[0] = last;
    labels[last.node].heap_pos = 0;
    siftDown(0);
  }
  return top.node;
}

void CHQuery::Side::siftUp(uint32_t i) {
  const HeapEntry e = heap[i];
  while (i > 0) {
    const uint32_t parent = (i - 1) / 4;
    if (!(e.key < heap[parent].key)) break;
    heap[i] = heap[parent];
    labels[heap[i].node].heap_pos = i;
    i = parent;
  }
  heap[i] = e;
  labels[e.node].heap_pos = i;
}

void CHQuery::Side::siftDown(uint32_t i) {
  const HeapEntry e = heap[i];
  const uint32_t n = static_cast<uint32_t>(heap.size());
  for (;;) {
    const uint32_t first = i * 4 + 1;
    if (first >= n) break;
    uint32_t best = first;
    const uint32_t end = std::min(first + 4, n);
    for (uint32_t c = first + 1; c < end; ++c)
      if (heap[c].key < heap[best].key) best = c;
    if (!(heap[best].key < e.key)) break;
    heap[i] = heap[best];
    labels[heap[i].node].heap_pos = i;
    i = best;
  }
  heap[i] = e;
  labels[e.node].heap_pos = i;
}

CHQuery::CHQuery(uint32_t n) : forward_(n), backward_(n) {}

CHResult CHQuery::run(const CHGraph& ch, std::span<const SearchEndpoint> sources, std::span<const SearchEndpoint> targets,
                      int64_t bound_ms) {
  forward_.reset();
  backward_.reset();
  settled_ = 0;
  last_ = CHResult{};
  // Forward labels are shifted by `shift` so that every label is >= 0; totals subtract it again.
  int64_t shift = 0;
  for (const auto& s : sources) shift = std::max(shift, -s.offset_ms);
  auto seed = [&ch](Side& side, const SearchEndpoint& e, int64_t label) {
    const uint32_t node = ch.rank[e.node];
    Label& l = side.labels[node];
    if (l.stamp == side.current && l.dist <= label) return;
    if (l.stamp != side.current) l.heap_pos = 0xFFFFFFFEu;  // not in the heap yet
    l.stamp = side.current;
    l.dist = label;
    l.cm = e.offset_cm;
    l.parent = kNoParent;
    side.push(node, label);
  };
  for (const auto& s : sources) seed(forward_, s, s.offset_ms + shift);
  for (const auto& t : targets) seed(backward_, t, t.offset_ms);

  int64_t best = bound_ms == std::numeric_limits<int64_t>::max() ? bound_ms : bound_ms + shift;
  uint32_t meeting = kNoParent;
  int64_t best_cm = 0;

  auto step = [&](bool is_forward) {
    Side& self = is_forward ? forward_ : backward_;
    const Side& other = is_forward ? backward_ : forward_;
    int64_t d;
    const uint32_t u = self.pop(d);
    ++settled_;
    if (other.reached(u)) {
      const int64_t total = d + other.labels[u].dist;
      if (total < best && total >= shift) {
        best = total;
        meeting = u;
        best_cm = self.labels[u].cm + other.labels[u].cm;
      }
    }
    // Stall-on-demand: u is reached suboptimally if a higher node already offers a shorter way in.
    const auto& stall_first = is_forward ? ch.down_first : ch.up_first;
    const auto& stall_head = is_forward ? ch.down_head : ch.up_head;
    const auto& stall_weight = is_forward ? ch.down_weight : ch.up_weight;
    for (uint32_t i = stall_first[u]; i < stall_first[u + 1]; ++i) {
      const uint32_t x = stall_head[i];
      if (self.reached(x) && self.labels[x].dist + stall_weight[i] < d) return;
    }
    const auto& first = is_forward ? ch.up_first : ch.down_first;
    const auto& head = is_forward ? ch.up_head : ch.down_head;
    const auto& weight = is_forward ? ch.up_weight : ch.down_weight;
    const auto& distance = is_forward ? ch.up_distance : ch.down_distance;
    for (uint32_t i = first[u]; i < first[u + 1]; ++i) {
      const uint32_t x = head[i];
      const int64_t nd = d + weight[i];
      Label& l = self.labels[x];
      if (l.stamp == self.current) {
        if (l.dist <= nd) continue;
      } else {
        l.stamp = self.current;
        l.heap_pos = 0xFFFFFFFEu;  // not in the heap yet
      }
      l.dist = nd;
      l.cm = self.labels[u].cm + distance[i];
      l.parent = u;
      l.parent_arc = i;
      self.push(x, nd);
    }
  };

  for (;;) {
    const bool f_ok = !forward_.heap.empty() && forward_.heap.front().key < best;
    const bool b_ok = !backward_.heap.empty() && backward_.heap.front().key < best;
    if (!f_ok && !b_ok) break;
    if (f_ok && (!b_ok || forward_.heap.front().key <= backward_.heap.front().key)) step(true);
    else step(false);
  }
  if (meeting != kNoParent) {
    last_.found = true;
    last_.duration_ms = best - shift;
    last_.distance_cm = best_cm;
    last_.meeting = meeting;
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
  std::vector<uint32_t> result;
  if (!last_.found) return result;
  // Forward half: meeting back to its source, then reversed into source -> meeting order.
  std::vector<std::pair<uint32_t, uint32_t>> up_arcs;  // (tail node, arc index in up graph)
  for (uint32_t v = last_.meeting; forward_.labels[v].parent != kNoParent; v = forward_.labels[v].parent)
    up_arcs.push_back({forward_.labels[v].parent, forward_.labels[v].parent_arc});
  std::reverse(up_arcs.begin(), up_arcs.end());
  uint32_t start = up_arcs.empty() ? last_.meeting : up_arcs.front().first;
  result.push_back(start);
  for (const auto& [tail, arc] : up_arcs) unpackArc(ch, tail, ch.up_head[arc], ch.up_middle[arc], result);
  // (backward half appended below; everything is translated back to input nodes at the end)
  // Backward half: arcs go from the meeting node down to a target.
  for (uint32_t v = last_.meeting; backward_.labels[v].parent != kNoParent; v = backward_.labels[v].parent) {
    const uint32_t lower = backward_.labels[v].parent;
    const uint32_t arc = backward_.labels[v].parent_arc;  // in lower's down list, head = v: original arc v -> lower
    unpackArc(ch, v, lower, ch.down_middle[arc], result);
  }
  for (uint32_t& v : result) v = ch.input_node[v];
  return result;
}

}  // namespace waymark
