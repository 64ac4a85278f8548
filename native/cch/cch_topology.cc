#include "cch/cch_topology.h"

#include <algorithm>
#include <cmath>

#include "cch/nested_dissection.h"
#include "common/error.h"
#include "common/geo.h"

namespace waymark {

namespace {

// The turns of the edge-based graph as an undirected simple graph in symmetric CSR.
void undirectedTurnGraph(const EdgeBasedView& eb, std::vector<uint32_t>& first, std::vector<uint32_t>& head) {
  const uint32_t n = eb.segmentCount();
  std::vector<uint64_t> pairs;
  pairs.reserve(eb.turn_head.size());
  for (uint32_t s = 0; s < n; ++s)
    for (uint32_t i = eb.turn_first[s]; i < eb.turn_first[s + 1]; ++i) {
      const uint32_t t = eb.turn_head[i];
      if (t != s) pairs.push_back(uint64_t(std::min(s, t)) << 32 | std::max(s, t));
    }
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  first.assign(n + 1, 0);
  for (uint64_t p : pairs) {
    first[(p >> 32) + 1]++;
    first[(p & 0xFFFFFFFFu) + 1]++;
  }
  for (uint32_t v = 0; v < n; ++v) first[v + 1] += first[v];
  head.resize(first[n]);
  std::vector<uint32_t> pos(first.begin(), first.end() - 1);
  for (uint64_t p : pairs) {
    const uint32_t a = uint32_t(p >> 32), b = uint32_t(p & 0xFFFFFFFFu);
    head[pos[a]++] = b;
    head[pos[b]++] = a;
  }
}

// Where the arc between nodes lo < hi is, or kNoCCHArc.
uint32_t findArc(const CCHTopology& t, uint32_t lo, uint32_t hi) {
  const auto begin = t.up_head.begin() + t.up_first[lo], end = t.up_head.begin() + t.up_first[lo + 1];
  const auto it = std::lower_bound(begin, end, hi);
  return it != end && *it == hi ? static_cast<uint32_t>(it - t.up_head.begin()) : kNoCCHArc;
}

bool consistent(const CCHTopology& t, const EdgeBasedView& eb) {
  const size_t n = eb.segmentCount();
  bool ok = t.rank.size() == n && t.order.size() == n && t.up_first.size() == n + 1 && t.down_first.size() == n + 1 &&
            t.parent.size() == n && t.turn_arc.size() == eb.turn_head.size() && t.up_first[0] == 0 && t.down_first[0] == 0 &&
            t.up_first[n] == t.up_head.size() && t.up_head.size() < (size_t(1) << 31) && t.down_first[n] == t.up_head.size() &&
            t.down_tail.size() == t.up_head.size() && t.down_arc.size() == t.up_head.size();
  for (size_t v = 0; ok && v < n; ++v) ok = t.rank[v] < n && t.order[t.rank[v]] == v;
  for (size_t u = 0; ok && u < n; ++u) {
    ok = t.up_first[u] <= t.up_first[u + 1] && t.up_first[u + 1] <= t.up_head.size() && t.down_first[u] <= t.down_first[u + 1] &&
         t.down_first[u + 1] <= t.down_tail.size();
    for (uint32_t a = t.up_first[u]; ok && a < t.up_first[u + 1]; ++a)
      ok = t.up_head[a] > u && t.up_head[a] < n && (a == t.up_first[u] || t.up_head[a - 1] < t.up_head[a]);
    ok = ok && t.parent[u] == (t.up_first[u] == t.up_first[u + 1] ? kNoTreeParent : t.up_head[t.up_first[u]]);
    for (uint32_t i = t.down_first[u]; ok && i < t.down_first[u + 1]; ++i) {
      const uint32_t m = t.down_tail[i], a = t.down_arc[i];
      ok = m < u && (i == t.down_first[u] || t.down_tail[i - 1] < m) && a >= t.up_first[m] && a < t.up_first[m + 1] &&
           t.up_head[a] == u;
    }
  }
  for (uint32_t s = 0; ok && s < n; ++s)
    for (uint32_t i = eb.turn_first[s]; ok && i < eb.turn_first[s + 1]; ++i) {
      const uint32_t target = eb.turn_head[i], code = t.turn_arc[i];
      if (target == s) {
        ok = code == kNoCCHArc;
        continue;
      }
      const uint32_t rs = t.rank[s], rt = t.rank[target];
      ok = code != kNoCCHArc && code / 2 == findArc(t, std::min(rs, rt), std::max(rs, rt)) && (code % 2 == 1) == (rs > rt);
    }
  return ok;
}

}  // namespace

CCHTopology::CCHTopology(const CCHTopologyData& d)
    : rank(d.rank),
      order(d.order),
      up_first(d.up_first),
      up_head(d.up_head),
      down_first(d.down_first),
      down_tail(d.down_tail),
      down_arc(d.down_arc),
      parent(d.parent),
      turn_arc(d.turn_arc) {}

CCHTopology::CCHTopology(const MappedMap& m, const EdgeBasedView& eb)
    : rank(m.section<uint32_t>("cch_rank")),
      order(m.section<uint32_t>("cch_order")),
      up_first(m.section<uint32_t>("cch_up_first")),
      up_head(m.section<uint32_t>("cch_up_head")),
      down_first(m.section<uint32_t>("cch_down_first")),
      down_tail(m.section<uint32_t>("cch_down_tail")),
      down_arc(m.section<uint32_t>("cch_down_arc")),
      parent(m.section<uint32_t>("cch_parent")),
      turn_arc(m.section<uint32_t>("cch_turn_arc")) {
  if (!consistent(*this, eb)) throw Error("MapCorrupt", m.path() + " has an inconsistent customizable contraction hierarchy");
}

CCHDissectionGraph cchDissectionGraph(const EdgeBasedView& eb, const RoadMap& road) {
  const uint32_t n = eb.segmentCount();
  CCHDissectionGraph g;
  undirectedTurnGraph(eb, g.first, g.head);
  // A segment sits at the middle of its road edge (copies on their original); longitude is scaled
  // so that both axes measure about the same distance.
  g.x.resize(n);
  g.y.resize(n);
  double mean_lat = 0;
  for (uint32_t v = 0; v < road.nodeCount(); ++v) mean_lat += toDegrees(road.node_lat[v]) / std::max<uint32_t>(1, road.nodeCount());
  const double lon_scale = std::cos(mean_lat * M_PI / 180.0);
  for (uint32_t s = 0; s < n; ++s) {
    const uint32_t e = eb.segment_edge_dir[eb.original(s)] / 2;
    g.x[s] = lon_scale * 0.5 * (toDegrees(road.node_lon[road.edge_from[e]]) + toDegrees(road.node_lon[road.edge_to[e]]));
    g.y[s] = 0.5 * (toDegrees(road.node_lat[road.edge_from[e]]) + toDegrees(road.node_lat[road.edge_to[e]]));
  }
  return g;
}

CCHTopologyData buildCCHTopology(const EdgeBasedView& eb, const RoadMap& road, const CCHBuildOptions& options) {
  const uint32_t n = eb.segmentCount();
  CCHTopologyData d;
  CCHDissectionGraph dg = cchDissectionGraph(eb, road);
  std::vector<uint32_t>& first = dg.first;
  std::vector<uint32_t>& head = dg.head;
  std::vector<double>& x = dg.x;
  std::vector<double>& y = dg.y;
  NestedDissectionOptions nd;
  nd.threads = options.threads;
  d.order = nestedDissectionOrder(PlanarGraph{first, head, x, y}, nd);
  std::vector<double>().swap(x);
  std::vector<double>().swap(y);
  d.rank.assign(n, 0);
  for (uint32_t r = 0; r < n; ++r) d.rank[d.order[r]] = r;

  // Elimination in rank order: a node's upper neighbours become a clique, which it suffices to
  // pass on to the lowest of them (its elimination-tree parent); what that one inherits it passes
  // on in turn when it is eliminated.
  std::vector<std::vector<uint32_t>> upper(n);
  for (uint32_t v = 0; v < n; ++v)
    for (uint32_t a = first[v]; a < first[v + 1]; ++a)
      if (d.rank[head[a]] > d.rank[v]) upper[d.rank[v]].push_back(d.rank[head[a]]);
  std::vector<uint32_t>().swap(first);
  std::vector<uint32_t>().swap(head);
  d.up_first.assign(n + 1, 0);
  d.parent.assign(n, kNoTreeParent);
  for (uint32_t u = 0; u < n; ++u) {
    std::vector<uint32_t>& up = upper[u];
    std::sort(up.begin(), up.end());
    up.erase(std::unique(up.begin(), up.end()), up.end());
    if (!up.empty()) {
      d.parent[u] = up[0];
      upper[up[0]].insert(upper[up[0]].end(), up.begin() + 1, up.end());
    }
    d.up_head.insert(d.up_head.end(), up.begin(), up.end());
    if (d.up_head.size() >= (size_t(1) << 31)) throw Error("TooBig", "the customizable hierarchy has too many arcs");
    d.up_first[u + 1] = static_cast<uint32_t>(d.up_head.size());
    std::vector<uint32_t>().swap(up);
  }
  const uint32_t m = static_cast<uint32_t>(d.up_head.size());

  // The same arcs listed at their upper end.
  d.down_first.assign(n + 1, 0);
  for (uint32_t a = 0; a < m; ++a) d.down_first[d.up_head[a] + 1]++;
  for (uint32_t u = 0; u < n; ++u) d.down_first[u + 1] += d.down_first[u];
  d.down_tail.resize(m);
  d.down_arc.resize(m);
  {
    std::vector<uint32_t> pos(d.down_first.begin(), d.down_first.end() - 1);
    for (uint32_t t = 0; t < n; ++t)
      for (uint32_t a = d.up_first[t]; a < d.up_first[t + 1]; ++a) {
        const uint32_t i = pos[d.up_head[a]]++;
        d.down_tail[i] = t;
        d.down_arc[i] = a;
      }
  }

  // Every turn feeds the arc between its two segments, in the direction it is driven.
  const CCHTopology view(d);
  d.turn_arc.assign(eb.turn_head.size(), kNoCCHArc);
  for (uint32_t s = 0; s < n; ++s)
    for (uint32_t i = eb.turn_first[s]; i < eb.turn_first[s + 1]; ++i) {
      const uint32_t t = eb.turn_head[i];
      if (t == s) continue;
      const uint32_t rs = d.rank[s], rt = d.rank[t];
      const uint32_t arc = findArc(view, std::min(rs, rt), std::max(rs, rt));
      if (arc == kNoCCHArc) throw Error("Internal", "a turn has no arc in the customizable hierarchy");
      d.turn_arc[i] = cchArcCode(arc, rs > rt);
    }
  return d;
}

uint32_t eliminationTreeHeight(const CCHTopology& t) {
  // Parents have higher ranks, so one pass from the top down gives every node its depth.
  const uint32_t n = t.nodeCount();
  std::vector<uint32_t> depth(n, 1);
  uint32_t height = 0;
  for (uint32_t u = n; u-- > 0;) {
    if (t.parent[u] != kNoTreeParent) depth[u] = depth[t.parent[u]] + 1;
    height = std::max(height, depth[u]);
  }
  return height;
}

uint64_t topologyBytes(const CCHTopology& t) {
  return 4 * (t.rank.size() + t.order.size() + t.up_first.size() + t.up_head.size() + t.down_first.size() + t.down_tail.size() +
              t.down_arc.size() + t.parent.size() + t.turn_arc.size());
}

void addCCHSections(MapWriter& w, const CCHTopologyData& d) {
  w.add("cch_rank", d.rank);
  w.add("cch_order", d.order);
  w.add("cch_up_first", d.up_first);
  w.add("cch_up_head", d.up_head);
  w.add("cch_down_first", d.down_first);
  w.add("cch_down_tail", d.down_tail);
  w.add("cch_down_arc", d.down_arc);
  w.add("cch_parent", d.parent);
  w.add("cch_turn_arc", d.turn_arc);
}

}  // namespace waymark
