#include "ch/ch_query.h"

#include <algorithm>

#include "common/error.h"

namespace waymark {

constexpr uint32_t kNoParent = 0xFFFFFFFFu;

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
    if (side.reached(node) && side.label(node).dist <= label) return;
    Label& l = side.touch(node);
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
      const int64_t total = d + other.label(u).dist;
      if (total < best && total >= shift) {
        best = total;
        meeting = u;
        best_cm = self.label(u).cm + other.label(u).cm;
      }
    }
    // Stall-on-demand: u is reached suboptimally if a higher node already offers a shorter way in.
    const auto& stall_first = is_forward ? ch.down_first : ch.up_first;
    const auto& stall_head = is_forward ? ch.down_head : ch.up_head;
    const auto& stall_weight = is_forward ? ch.down_weight : ch.up_weight;
    for (uint32_t i = stall_first[u]; i < stall_first[u + 1]; ++i) {
      const uint32_t x = stall_head[i];
      if (self.reached(x) && self.label(x).dist + stall_weight[i] < d) return;
    }
    const auto& first = is_forward ? ch.up_first : ch.down_first;
    const auto& head = is_forward ? ch.up_head : ch.down_head;
    const auto& weight = is_forward ? ch.up_weight : ch.down_weight;
    const auto& distance = is_forward ? ch.up_distance : ch.down_distance;
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
  };

  for (;;) {
    const bool f_ok = !forward_.empty() && forward_.minKey() < best;
    const bool b_ok = !backward_.empty() && backward_.minKey() < best;
    if (!f_ok && !b_ok) break;
    if (f_ok && (!b_ok || forward_.minKey() <= backward_.minKey())) step(true);
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
  forward_.reset();
  backward_.reset();
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
  for (const auto& s : sources) seed(forward_, s, s.offset_ms + shift);
  for (const auto& t : targets) seed(backward_, t, t.offset_ms);
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
  search(forward_, true, limit_ms + shift);
  search(backward_, false, limit_ms + shift);
  std::vector<Meeting> out;
  for (uint32_t v : backward_settled) {
    if (!forward_.reached(v)) continue;
    const int64_t total = forward_.label(v).dist - shift + backward_.label(v).dist;
    if (total <= limit_ms && total >= 0) out.push_back({v, total, forward_.label(v).cm + backward_.label(v).cm});
  }
  std::sort(out.begin(), out.end(), [](const Meeting& a, const Meeting& b) { return a.duration_ms < b.duration_ms; });
  return out;
}

std::vector<uint32_t> CHQuery::pathVia(const CHGraph& ch, uint32_t meeting) const {
  std::vector<uint32_t> result;
  // Forward half: meeting back to its source, then reversed into source -> meeting order.
  std::vector<std::pair<uint32_t, uint32_t>> up_arcs;  // (tail node, arc index in up graph)
  for (uint32_t v = meeting; forward_.label(v).parent != kNoParent; v = forward_.label(v).parent)
    up_arcs.push_back({forward_.label(v).parent, forward_.label(v).parent_arc});
  std::reverse(up_arcs.begin(), up_arcs.end());
  uint32_t start = up_arcs.empty() ? meeting : up_arcs.front().first;
  result.push_back(start);
  for (const auto& [tail, arc] : up_arcs) unpackArc(ch, tail, ch.up_head[arc], ch.up_middle[arc], result);
  // (backward half appended below; everything is translated back to input nodes at the end)
  // Backward half: arcs go from the meeting node down to a target.
  for (uint32_t v = meeting; backward_.label(v).parent != kNoParent; v = backward_.label(v).parent) {
    const uint32_t lower = backward_.label(v).parent;
    const uint32_t arc = backward_.label(v).parent_arc;  // in lower's down list, head = v: original arc v -> lower
    unpackArc(ch, v, lower, ch.down_middle[arc], result);
  }
  for (uint32_t& v : result) v = ch.input_node[v];
  return result;
}

}  // namespace waymark
