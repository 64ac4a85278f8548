#include "graph/build_road_graph.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/error.h"
#include "common/geo.h"
#include "graph/resolve_restrictions.h"

namespace waymark {

namespace {

constexpr uint32_t kNoNode = kNoNodeId;

uint32_t durationMs(double length_m, double speed_kmh) {
  if (speed_kmh <= 0) return kNotAllowed;
  const double ms = length_m / (speed_kmh / 3.6) * 1000.0;
  return static_cast<uint32_t>(std::min(std::llround(ms), static_cast<long long>(kNotAllowed - 1)));
}

// Marks which of the sorted unique ids appear in `ids` (any order).
std::vector<bool> markIds(const std::vector<int64_t>& unique_ids, std::vector<int64_t> ids) {
  std::sort(ids.begin(), ids.end());
  std::vector<bool> marked(unique_ids.size(), false);
  size_t j = 0;
  for (size_t i = 0; i < unique_ids.size() && j < ids.size(); ++i) {
    while (j < ids.size() && ids[j] < unique_ids[i]) ++j;
    if (j < ids.size() && ids[j] == unique_ids[i]) marked[i] = true;
  }
  return marked;
}

}  // namespace

RoadGraph buildRoadGraph(const OsmCollector& osm, const ProgressFn& progress, RoadGraphReport& report, bool keep_all_components) {
  const size_t refs = osm.ref_id.size();
  if (osm.ways.empty()) throw Error("NoRoads", "the input has no roads routable with profile '" + osm.profile().name + "'");
  reportProgress(progress, "graph", 0, 5);

  // 1. Compact OSM node ids: sort (id, ref) pairs, then number the distinct ids.
  std::vector<int64_t> unique_ids;
  std::vector<uint32_t> ref_node(refs);
  {
    std::vector<std::pair<int64_t, uint32_t>> order(refs);
    for (size_t i = 0; i < refs; ++i) order[i] = {osm.ref_id[i], static_cast<uint32_t>(i)};
    std::sort(order.begin(), order.end());
    for (size_t i = 0; i < refs; ++i) {
      if (i == 0 || order[i].first != order[i - 1].first) unique_ids.push_back(order[i].first);
      ref_node[order[i].second] = static_cast<uint32_t>(unique_ids.size() - 1);
    }
  }
  const size_t unique_count = unique_ids.size();
  report.osm_nodes_used = unique_count;
  reportProgress(progress, "graph", 1, 5);

  // 2. Which nodes are junctions: shared by ways, way ends, restriction via nodes, barriers.
  const std::vector<bool> blocking = markIds(unique_ids, osm.blocking_nodes);
  const std::vector<bool> signal = markIds(unique_ids, osm.signal_nodes);
  std::vector<uint32_t> penalty_ms(unique_count, 0);  // delay passing each node
  for (const PenaltyNode& p : osm.penalty_nodes) {
    auto it = std::lower_bound(unique_ids.begin(), unique_ids.end(), p.id);
    if (it != unique_ids.end() && *it == p.id) penalty_ms[it - unique_ids.begin()] = p.penalty_ms;
  }
  std::vector<int64_t> via_node_ids;
  for (const auto& r : osm.restrictions)
    if (r.via_is_node) via_node_ids.push_back(osm.restriction_members[r.viaFirst()]);
  const std::vector<bool> via = markIds(unique_ids, via_node_ids);
  std::vector<uint8_t> uses(unique_count, 0);
  for (const auto& w : osm.ways) {
    for (uint32_t i = 0; i < w.ref_count; ++i) {
      uint8_t& u = uses[ref_node[w.first_ref + i]];
      if (u < 2) ++u;
    }
    uses[ref_node[w.first_ref]] = 2;
    uses[ref_node[w.first_ref + w.ref_count - 1]] = 2;
  }
  RoadGraph g;
  std::vector<uint32_t> junction_id(unique_count, kNoNode);
  auto addNode = [&](uint32_t ref, uint8_t flags) {
    g.node_lon.push_back(osm.ref_lon[ref]);
    g.node_lat.push_back(osm.ref_lat[ref]);
    g.node_flags.push_back(flags);
    g.node_osm_id.push_back(osm.ref_id[ref]);
    return static_cast<uint32_t>(g.node_lon.size() - 1);
  };
  // Each end of an edge at a blocking barrier gets a node of its own: reachable, never passable.
  auto nodeAt = [&](uint32_t ref) {
    const uint32_t u = ref_node[ref];
    if (blocking[u]) return addNode(ref, kNodeBarrier);
    if (junction_id[u] == kNoNode) junction_id[u] = addNode(ref, signal[u] ? kNodeTrafficSignal : 0);
    return junction_id[u];
  };
  auto isJunction = [&](uint32_t u) { return uses[u] >= 2 || via[u] || blocking[u]; };
  reportProgress(progress, "graph", 2, 5);

  // 3. Split every way at its junctions into edges.
  std::vector<uint32_t> way_first_edge(osm.ways.size() + 1, 0);
  for (size_t wi = 0; wi < osm.ways.size(); ++wi) {
    const CollectedWay& w = osm.ways[wi];
    way_first_edge[wi] = g.edgeCount();
    double way_length = 0;
    for (uint32_t i = 1; i < w.ref_count; ++i)
      way_length += haversineMetersFixed(osm.ref_lon[w.first_ref + i - 1], osm.ref_lat[w.first_ref + i - 1],
                                         osm.ref_lon[w.first_ref + i], osm.ref_lat[w.first_ref + i]);
    uint32_t start = w.first_ref;
    uint32_t start_node = nodeAt(start);
    double length = 0;
    uint64_t interior_penalty_ms = 0;
    for (uint32_t r = w.first_ref + 1; r < w.first_ref + w.ref_count; ++r) {
      length += haversineMetersFixed(osm.ref_lon[r - 1], osm.ref_lat[r - 1], osm.ref_lon[r], osm.ref_lat[r]);
      const uint32_t u = ref_node[r];
      if (!isJunction(u)) {
        interior_penalty_ms += penalty_ms[u];
        continue;
      }
      const uint32_t end_node = nodeAt(r);
      g.edge_from.push_back(start_node);
      g.edge_to.push_back(end_node);
      uint32_t forward, backward;
      if (w.ferry_duration_s > 0 && way_length > 0) {
        const uint32_t ms = static_cast<uint32_t>(std::llround(w.ferry_duration_s * 1000.0 * length / way_length));
        forward = w.speed_forward > 0 ? ms : kNotAllowed;
        backward = w.speed_backward > 0 ? ms : kNotAllowed;
      } else {
        forward = durationMs(length, w.speed_forward);
        backward = durationMs(length, w.speed_backward);
      }
      // Delays: nodes inside the edge, the junction being approached, and the way's own penalty
      // (spread over its edges by length, so a way split at junctions costs it once).
      const uint64_t way_penalty_ms =
          way_length > 0 ? static_cast<uint64_t>(std::llround(w.penalty_s * 1000.0 * length / way_length)) : 0;
      const uint64_t fwd_penalty = interior_penalty_ms + way_penalty_ms + (blocking[u] ? 0 : penalty_ms[u]);
      const uint64_t bwd_penalty = interior_penalty_ms + way_penalty_ms + (blocking[ref_node[start]] ? 0 : penalty_ms[ref_node[start]]);
      auto add = [](uint32_t d, uint64_t p) {
        return d == kNotAllowed ? d : static_cast<uint32_t>(std::min<uint64_t>(d + p, kNotAllowed - 1));
      };
      g.edge_duration_forward.push_back(add(forward, fwd_penalty));
      g.edge_duration_backward.push_back(add(backward, bwd_penalty));
      g.edge_length_cm.push_back(static_cast<uint32_t>(std::llround(length * 100.0)));
      g.edge_name.push_back(w.name_id);
      g.edge_class.push_back(w.road_class);
      g.edge_flags.push_back(w.flags);
      g.edge_ref.push_back(w.ref_name_id);
      g.edge_surface.push_back(w.surface);
      g.edge_access.push_back(w.access);
      g.edge_maxspeed.push_back(w.maxspeed);
      g.edge_shape_first.push_back(static_cast<uint32_t>(g.shape_lon.size()));
      for (uint32_t s = start + 1; s < r; ++s) {
        g.shape_lon.push_back(osm.ref_lon[s]);
        g.shape_lat.push_back(osm.ref_lat[s]);
        g.shape_osm_id.push_back(osm.ref_id[s]);
      }
      start = r;
      // A blocking barrier inside a way ends this edge at a dead end; the next edge starts at a
      // dead end of its own, so nothing passes the barrier.
      start_node = blocking[u] ? nodeAt(r) : end_node;
      length = 0;
      interior_penalty_ms = 0;
    }
  }
  way_first_edge[osm.ways.size()] = g.edgeCount();
  g.edge_shape_first.push_back(static_cast<uint32_t>(g.shape_lon.size()));
  report.edges_before_compression = g.edgeCount();
  reportProgress(progress, "graph", 3, 5);

  // 4. Turn restrictions onto edges (via nodes) and edge paths (via ways).
  resolveRestrictions({osm, unique_ids, junction_id, way_first_edge}, g, report);
  g.name_first = osm.names.first();
  g.name_chars = osm.names.chars();
  reportProgress(progress, "graph", 4, 5);

  // 5. Compress, then keep what can reach and be reached from everywhere else.
  compressDegreeTwoChains(g);
  report.edges_after_compression = g.edgeCount();
  if (!keep_all_components) keepLargestComponent(g, report);
  report.restrictions_mapped = g.restriction_from.size();
  report.via_way_restrictions = g.viaWayCount();
  reportProgress(progress, "graph", 5, 5);
  return g;
}

}  // namespace waymark
