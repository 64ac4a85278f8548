#include "graph/resolve_restrictions.h"

#include <algorithm>
#include <cmath>

#include "common/geo.h"

namespace waymark {

namespace {

enum class Outcome { kApplied, kUnmapped, kAmbiguous, kDisconnected };

class Resolver {
 public:
  Resolver(const RestrictionResolveInput& in, RoadGraph& g) : in_(in), g_(g) {
    way_index_.resize(in.osm.ways.size());
    for (size_t i = 0; i < in.osm.ways.size(); ++i) way_index_[i] = {in.osm.ways[i].osm_id, static_cast<uint32_t>(i)};
    std::sort(way_index_.begin(), way_index_.end());
  }

  Outcome resolve(const CollectedRestriction& r) {
    const auto& members = in_.osm.restriction_members;
    bool any_applied = false;
    Outcome worst = Outcome::kApplied;
    for (uint32_t f = 0; f < r.from_count; ++f) {
      for (uint32_t t = 0; t < r.to_count; ++t) {
        const int64_t from_way = members[r.from_first + f], to_way = members[r.toFirst() + t];
        const Outcome o = r.via_is_node ? viaNode(r, from_way, members[r.viaFirst()], to_way)
                                        : viaWays(r, from_way, to_way);
        if (o == Outcome::kApplied) any_applied = true;
        else if (worst == Outcome::kApplied || o == Outcome::kAmbiguous) worst = o;
      }
    }
    return any_applied ? Outcome::kApplied : worst;
  }

 private:
  // Edges of every part of a way, in way order.
  std::vector<uint32_t> edgesOfWay(int64_t way_id) const {
    std::vector<uint32_t> out;
    auto it = std::lower_bound(way_index_.begin(), way_index_.end(), std::make_pair(way_id, uint32_t{0}));
    for (; it != way_index_.end() && it->first == way_id; ++it)
      for (uint32_t e = in_.way_first_edge[it->second]; e < in_.way_first_edge[it->second + 1]; ++e) out.push_back(e);
    return out;
  }

  uint32_t graphNode(int64_t osm_node) const {
    auto it = std::lower_bound(in_.unique_ids.begin(), in_.unique_ids.end(), osm_node);
    if (it == in_.unique_ids.end() || *it != osm_node) return kNoNodeId;
    return in_.junction_id[it - in_.unique_ids.begin()];
  }

  bool canEnter(uint32_t e, uint32_t v) const {  // travel along e arriving at v
    if (g_.edge_from[e] == g_.edge_to[e]) return false;
    if (g_.edge_to[e] == v) return g_.edge_duration_forward[e] != kNotAllowed;
    if (g_.edge_from[e] == v) return g_.edge_duration_backward[e] != kNotAllowed;
    return false;
  }
  bool canLeave(uint32_t e, uint32_t v) const {  // travel along e starting at v
    if (g_.edge_from[e] == g_.edge_to[e]) return false;
    if (g_.edge_from[e] == v) return g_.edge_duration_forward[e] != kNotAllowed;
    if (g_.edge_to[e] == v) return g_.edge_duration_backward[e] != kNotAllowed;
    return false;
  }
  bool touches(uint32_t e, uint32_t v) const { return g_.edge_from[e] == v || g_.edge_to[e] == v; }

  // Bearing of leaving v along e, from v to the next polyline point.
  double leavingBearing(uint32_t e, uint32_t v) const {
    const uint32_t s0 = g_.edge_shape_first[e], s1 = g_.edge_shape_first[e + 1];
    int32_t lon, lat;
    if (g_.edge_from[e] == v) {
      lon = s1 > s0 ? g_.shape_lon[s0] : g_.node_lon[g_.edge_to[e]];
      lat = s1 > s0 ? g_.shape_lat[s0] : g_.node_lat[g_.edge_to[e]];
    } else {
      lon = s1 > s0 ? g_.shape_lon[s1 - 1] : g_.node_lon[g_.edge_from[e]];
      lat = s1 > s0 ? g_.shape_lat[s1 - 1] : g_.node_lat[g_.edge_from[e]];
    }
    return bearingDegrees(toDegrees(g_.node_lon[v]), toDegrees(g_.node_lat[v]), toDegrees(lon), toDegrees(lat));
  }

  // Turn angle in (-180, 180]: positive to the right. Arriving at `in_node` along `in`, leaving
  // `out_node` along `out` (the same node for via-node restrictions).
  double turnAngle(uint32_t in, uint32_t in_node, uint32_t out, uint32_t out_node) const {
    const double arriving = std::fmod(leavingBearing(in, in_node) + 180.0, 360.0);
    double d = leavingBearing(out, out_node) - arriving;
    while (d <= -180) d += 360;
    while (d > 180) d -= 360;
    return d;
  }

  static bool matches(RestrictionTurn turn, double angle, bool same_edge) {
    switch (turn) {
      case RestrictionTurn::kAny: return true;
      case RestrictionTurn::kStraight: return !same_edge && std::abs(angle) <= 45;
      case RestrictionTurn::kRight: return !same_edge && angle >= 15 && angle <= 175;
      case RestrictionTurn::kLeft: return !same_edge && angle <= -15 && angle >= -175;
      case RestrictionTurn::kUTurn: return same_edge || std::abs(angle) >= 135;
    }
    return true;
  }

  struct Pair {
    uint32_t from, to;
  };
  // Chooses one (from, to) pair among the candidates, or reports why none can be chosen.
  Outcome choose(const CollectedRestriction& r, const std::vector<Pair>& pairs, uint32_t in_node, uint32_t out_node,
                 Pair& chosen) const {
    if (pairs.empty()) return Outcome::kUnmapped;
    if (pairs.size() == 1) {
      chosen = pairs[0];
      return Outcome::kApplied;
    }
    std::vector<Pair> fitting;
    for (const Pair& p : pairs)
      if (matches(r.turn, turnAngle(p.from, in_node, p.to, out_node), p.from == p.to)) fitting.push_back(p);
    if (fitting.size() != 1 || r.turn == RestrictionTurn::kAny) return Outcome::kAmbiguous;
    chosen = fitting[0];
    return Outcome::kApplied;
  }

  Outcome viaNode(const CollectedRestriction& r, int64_t from_way, int64_t via_id, int64_t to_way) {
    const uint32_t v = graphNode(via_id);
    if (v == kNoNodeId) return Outcome::kUnmapped;
    const std::vector<uint32_t> from_edges = edgesOfWay(from_way), to_edges = edgesOfWay(to_way);
    if (from_edges.empty() || to_edges.empty()) return Outcome::kUnmapped;
    std::vector<Pair> pairs;
    bool from_touches = false, to_touches = false;
    for (uint32_t f : from_edges) {
      from_touches = from_touches || touches(f, v);
      if (!canEnter(f, v)) continue;
      for (uint32_t t : to_edges) {
        if (!canLeave(t, v)) continue;
        // The same edge back is a U-turn: only meant when the relation says so or from = to.
        if (f == t && from_way != to_way && r.turn != RestrictionTurn::kUTurn) continue;
        if (f != t && from_way == to_way && r.turn == RestrictionTurn::kUTurn) continue;
        pairs.push_back({f, t});
      }
    }
    for (uint32_t t : to_edges) to_touches = to_touches || touches(t, v);
    if (!from_touches || !to_touches) return Outcome::kDisconnected;
    // A U-turn ban on a way through the via node holds on both sides: no choice to make.
    if (r.turn == RestrictionTurn::kUTurn && from_way == to_way && r.kind == RestrictionKind::kProhibit) {
      if (pairs.empty()) return Outcome::kApplied;  // nothing drivable to forbid
      for (const Pair& p : pairs) addViaNode(r, p, v);
      return Outcome::kApplied;
    }
    if (pairs.empty()) return Outcome::kApplied;  // the manoeuvre cannot be driven anyway
    Pair chosen{};
    const Outcome o = choose(r, pairs, v, v, chosen);
    if (o == Outcome::kApplied) addViaNode(r, chosen, v);
    return o;
  }

  void addViaNode(const CollectedRestriction& r, const Pair& p, uint32_t v) {
    g_.restriction_from.push_back(p.from);
    g_.restriction_via.push_back(v);
    g_.restriction_to.push_back(p.to);
    g_.restriction_kind.push_back(static_cast<uint8_t>(r.kind));
  }

  // Nodes where the edges of two ways meet.
  std::vector<uint32_t> commonNodes(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) const {
    std::vector<uint32_t> na, nb, out;
    for (uint32_t e : a) na.push_back(g_.edge_from[e]), na.push_back(g_.edge_to[e]);
    for (uint32_t e : b) nb.push_back(g_.edge_from[e]), nb.push_back(g_.edge_to[e]);
    std::sort(na.begin(), na.end());
    std::sort(nb.begin(), nb.end());
    std::set_intersection(na.begin(), na.end(), nb.begin(), nb.end(), std::back_inserter(out));
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  // The edges of a via way from node a to node b in travel order, or empty when the way does not
  // run from a to b exactly once.
  std::vector<uint32_t> wayPath(const std::vector<uint32_t>& edges, uint32_t a, uint32_t b) const {
    // Walk from a along the way's edges (either direction) until b; the way is a chain in order.
    std::vector<uint32_t> best;
    int found = 0;
    for (int direction = 0; direction < 2; ++direction) {
      std::vector<uint32_t> path;
      const size_t n = edges.size();
      for (size_t start = 0; start < n; ++start) {
        const uint32_t e0 = edges[direction == 0 ? start : n - 1 - start];
        const uint32_t tail0 = direction == 0 ? g_.edge_from[e0] : g_.edge_to[e0];
        if (tail0 != a) continue;
        path.clear();
        uint32_t cur = a;
        for (size_t k = start; k < n; ++k) {
          const uint32_t e = edges[direction == 0 ? k : n - 1 - k];
          const uint32_t tail = direction == 0 ? g_.edge_from[e] : g_.edge_to[e];
          const uint32_t head = direction == 0 ? g_.edge_to[e] : g_.edge_from[e];
          if (tail != cur) break;  // a gap (barrier or clipped part)
          path.push_back(e);
          cur = head;
          if (cur == b) {
            ++found;
            best = path;
            break;
          }
        }
      }
    }
    if (found != 1) return {};
    return best;
  }

  Outcome viaWays(const CollectedRestriction& r, int64_t from_way, int64_t to_way) {
    const auto& members = in_.osm.restriction_members;
    std::vector<std::vector<uint32_t>> ways;  // from, via..., to
    ways.push_back(edgesOfWay(from_way));
    for (uint32_t i = 0; i < r.via_count; ++i) ways.push_back(edgesOfWay(members[r.viaFirst() + i]));
    ways.push_back(edgesOfWay(to_way));
    for (const auto& w : ways)
      if (w.empty()) return Outcome::kUnmapped;
    // Where each pair of consecutive ways meets: exactly one node.
    std::vector<uint32_t> meet;
    for (size_t i = 0; i + 1 < ways.size(); ++i) {
      const std::vector<uint32_t> common = commonNodes(ways[i], ways[i + 1]);
      if (common.empty()) return Outcome::kDisconnected;
      if (common.size() > 1) return Outcome::kAmbiguous;
      meet.push_back(common[0]);
    }
    std::vector<uint32_t> edges, nodes;
    for (size_t i = 1; i + 1 < ways.size(); ++i) {
      const std::vector<uint32_t> part = wayPath(ways[i], meet[i - 1], meet[i]);
      if (part.empty()) return Outcome::kDisconnected;
      for (uint32_t e : part) edges.push_back(e);
    }
    // Via path nodes: the tail of each via edge, then the exit node.
    for (size_t i = 0; i < edges.size(); ++i) {
      // The node where edges[i] is left: the other end from where it was entered.
      const uint32_t entered = i == 0 ? meet[0] : nodes.back();
      nodes.push_back(g_.edge_from[edges[i]] == entered ? g_.edge_to[edges[i]] : g_.edge_from[edges[i]]);
    }
    const uint32_t entry = meet.front(), exit = meet.back();
    std::vector<Pair> pairs;
    for (uint32_t f : ways.front()) {
      if (!canEnter(f, entry)) continue;
      for (uint32_t t : ways.back())
        if (canLeave(t, exit)) pairs.push_back({f, t});
    }
    if (pairs.empty()) return Outcome::kApplied;  // the manoeuvre cannot be driven anyway
    Pair chosen{};
    const Outcome o = choose(r, pairs, entry, exit, chosen);
    if (o != Outcome::kApplied) return o;
    // Path: from edge, via edges, to edge; nodes: where each meets the next.
    g_.via_way_edges.push_back(chosen.from);
    g_.via_way_nodes.push_back(entry);
    for (size_t i = 0; i < edges.size(); ++i) {
      g_.via_way_edges.push_back(edges[i]);
      g_.via_way_nodes.push_back(nodes[i]);
    }
    g_.via_way_edges.push_back(chosen.to);
    g_.via_way_nodes.push_back(kNoNodeId);
    g_.via_way_first.push_back(static_cast<uint32_t>(g_.via_way_edges.size()));
    g_.via_way_kind.push_back(static_cast<uint8_t>(r.kind));
    return Outcome::kApplied;
  }

  const RestrictionResolveInput& in_;
  RoadGraph& g_;
  std::vector<std::pair<int64_t, uint32_t>> way_index_;
};

}  // namespace

void resolveRestrictions(const RestrictionResolveInput& in, RoadGraph& g, RoadGraphReport& report) {
  Resolver resolver(in, g);
  for (const auto& r : in.osm.restrictions) {
    switch (resolver.resolve(r)) {
      case Outcome::kApplied: ++report.restrictions_applied; break;
      case Outcome::kUnmapped: ++report.restrictions_unmapped; break;
      case Outcome::kAmbiguous: ++report.restrictions_ambiguous; break;
      case Outcome::kDisconnected: ++report.restrictions_disconnected; break;
    }
  }
}

}  // namespace waymark
