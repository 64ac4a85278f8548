#include "graph/via_way_copies.h"

#include <algorithm>
#include <unordered_map>

#include "osm/profile.h"

namespace waymark {

namespace {

// Directed segment of edge e travelled away from `tail` (or into `head` when tail is kNoNodeId).
uint32_t segmentLeaving(const RoadGraph& g, const EdgeBasedGraph& eb, uint32_t e, uint32_t tail, uint32_t head) {
  if (g.edge_from[e] == g.edge_to[e]) return kNoSegment;  // a loop has no single direction
  uint32_t dir;
  if (tail != kNoNodeId) dir = g.edge_from[e] == tail ? 0 : g.edge_to[e] == tail ? 1 : 2;
  else dir = g.edge_to[e] == head ? 0 : g.edge_from[e] == head ? 1 : 2;
  if (dir == 2) return kNoSegment;
  return eb.edge_segment[size_t(e) * 2 + dir];
}

bool hasTurn(const EdgeBasedGraph& eb, uint32_t from, uint32_t to) {
  for (uint32_t i = eb.turn_first[from]; i < eb.turn_first[from + 1]; ++i)
    if (eb.turn_head[i] == to) return true;
  return false;
}

struct Rules {
  std::vector<uint32_t> banned;
  uint32_t forced = kNoSegment;
};

}  // namespace

uint64_t applyViaWayRestrictions(const RoadGraph& g, EdgeBasedGraph& eb) {
  const uint32_t n = eb.segmentCount();
  uint64_t skipped = 0;
  // States: 0..n-1 are the original segments (paths of length one); copies follow.
  std::vector<uint32_t> last;    // per copy: the original segment it duplicates
  std::vector<uint32_t> parent;  // per copy: the state it is entered from
  std::vector<uint32_t> depth;   // per copy: path length (>= 2)
  std::unordered_map<uint64_t, uint32_t> child;  // (state << 32 | segment) -> copy state
  std::unordered_map<uint32_t, Rules> own;       // rules a state's own paths impose
  auto key = [](uint32_t state, uint32_t seg) { return (uint64_t(state) << 32) | seg; };
  auto lastOf = [&](uint32_t st) { return st < n ? st : last[st - n]; };

  for (uint32_t r = 0; r < g.viaWayCount(); ++r) {
    const uint32_t b = g.via_way_first[r], e = g.via_way_first[r + 1];
    std::vector<uint32_t> segs;
    bool ok = e - b >= 3;
    for (uint32_t i = b; ok && i < e; ++i) {
      const uint32_t s = i == b ? segmentLeaving(g, eb, g.via_way_edges[i], kNoNodeId, g.via_way_nodes[i])
                                : segmentLeaving(g, eb, g.via_way_edges[i], g.via_way_nodes[i - 1], kNoNodeId);
      ok = s != kNoSegment && (segs.empty() || hasTurn(eb, segs.back(), s));
      segs.push_back(s);
    }
    if (!ok) {
      ++skipped;
      continue;
    }
    const uint32_t target = segs.back();
    segs.pop_back();
    const bool mandatory = g.via_way_kind[r] == static_cast<uint8_t>(RestrictionKind::kMandatory);
    uint32_t cur = segs[0];
    if (mandatory) own[cur].forced = segs[1];
    for (size_t j = 1; j < segs.size(); ++j) {
      auto [it, inserted] = child.try_emplace(key(cur, segs[j]), n + static_cast<uint32_t>(last.size()));
      if (inserted) {
        last.push_back(segs[j]);
        parent.push_back(cur);
        depth.push_back((cur < n ? 1 : depth[cur - n]) + 1);
      }
      cur = it->second;
      if (mandatory) own[cur].forced = j + 1 < segs.size() ? segs[j + 1] : target;
    }
    if (!mandatory) own[cur].banned.push_back(target);
  }
  if (last.empty()) return skipped;

  // Failure links in order of depth: the longest proper suffix of a copy's path that is a state.
  const uint32_t copies = static_cast<uint32_t>(last.size());
  std::vector<uint32_t> fail(copies, 0);
  auto next = [&](uint32_t st, uint32_t seg) {  // goto function, following failure links
    for (;;) {
      auto it = child.find(key(st, seg));
      if (it != child.end()) return it->second;
      if (st < n) return seg;
      st = fail[st - n];
    }
  };
  std::vector<uint32_t> order(copies);
  for (uint32_t i = 0; i < copies; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return depth[a] < depth[b]; });
  for (uint32_t i : order) fail[i] = parent[i] < n ? last[i] : next(fail[parent[i] - n], last[i]);

  // Rules of a state: its own, then those of its failure chain.
  auto rulesOf = [&](uint32_t st) {
    Rules out;
    for (;;) {
      if (auto it = own.find(st); it != own.end()) {
        out.banned.insert(out.banned.end(), it->second.banned.begin(), it->second.banned.end());
        if (out.forced == kNoSegment) out.forced = it->second.forced;
      }
      if (st < n) return out;
      st = fail[st - n];
    }
  };

  std::vector<uint32_t> first(size_t(n) + copies + 1, 0), head, weight;
  head.reserve(eb.turn_head.size() + copies * 4);
  weight.reserve(head.capacity());
  for (uint32_t st = 0; st < n + copies; ++st) {
    const uint32_t s = lastOf(st);
    const bool constrained = st >= n || own.count(st);
    const Rules rules = constrained ? rulesOf(st) : Rules{};
    for (uint32_t i = eb.turn_first[s]; i < eb.turn_first[s + 1]; ++i) {
      const uint32_t x = eb.turn_head[i];
      if (rules.forced != kNoSegment && x != rules.forced) continue;
      if (std::find(rules.banned.begin(), rules.banned.end(), x) != rules.banned.end()) continue;
      head.push_back(next(st, x));
      weight.push_back(eb.turn_weight[i]);
    }
    first[st + 1] = static_cast<uint32_t>(head.size());
  }
  eb.turn_first = std::move(first);
  eb.turn_head = std::move(head);
  eb.turn_weight = std::move(weight);
  for (uint32_t c = 0; c < copies; ++c) {
    const uint32_t s = last[c];
    eb.segment_edge_dir.push_back(eb.segment_edge_dir[s]);
    eb.segment_duration.push_back(eb.segment_duration[s]);
    eb.segment_length_cm.push_back(eb.segment_length_cm[s]);
  }
  eb.copy_original = last;
  std::vector<std::pair<uint32_t, uint32_t>> pairs(copies);
  for (uint32_t c = 0; c < copies; ++c) pairs[c] = {last[c], n + c};
  std::sort(pairs.begin(), pairs.end());
  for (const auto& [original, copy] : pairs) {
    eb.copy_index_original.push_back(original);
    eb.copy_index_segment.push_back(copy);
  }
  return skipped;
}

}  // namespace waymark
