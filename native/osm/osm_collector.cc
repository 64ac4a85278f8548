#include "osm/osm_collector.h"

namespace waymark {

void OsmCollector::node(int64_t id, const OplTags& tags, bool, int32_t, int32_t) {
  ++stats.osm_nodes;
  if (tags.items.empty()) return;
  const NodeAttributes a = evaluateNode(profile_, tags);
  if (a.blocks) blocking_nodes.push_back(id);
  if (a.traffic_signal) signal_nodes.push_back(id);
}

void OsmCollector::way(int64_t id, const OplTags& tags, const std::vector<OplWayNode>& nodes) {
  ++stats.osm_ways;
  const WayAttributes a = evaluateWay(profile_, tags);
  if (!a.routable) return;
  ++stats.routable_ways;
  const uint32_t name_id = names.intern(a.name);
  // One part per run of consecutive nodes that have locations.
  size_t i = 0;
  while (i < nodes.size()) {
    while (i < nodes.size() && !nodes[i].has_location) {
      ++stats.missing_node_refs;
      ++i;
    }
    const size_t start = ref_id.size();
    while (i < nodes.size() && nodes[i].has_location) {
      // Consecutive duplicates (same node twice) would make zero-length segments.
      if (ref_id.size() == start || ref_id.back() != nodes[i].id) {
        ref_id.push_back(nodes[i].id);
        ref_lon.push_back(nodes[i].lon);
        ref_lat.push_back(nodes[i].lat);
      }
      ++i;
    }
    const size_t count = ref_id.size() - start;
    if (count >= 2) {
      ways.push_back({id, static_cast<uint32_t>(start), static_cast<uint32_t>(count), static_cast<float>(a.speed_forward),
                      static_cast<float>(a.speed_backward), static_cast<float>(a.ferry_duration_s), name_id, a.road_class,
                      a.flags});
    } else {
      ref_id.resize(start);
      ref_lon.resize(start);
      ref_lat.resize(start);
    }
  }
}

void OsmCollector::relation(int64_t, const OplTags& tags, const std::vector<OplMember>& members) {
  ++stats.osm_relations;
  const RestrictionKind kind = evaluateRestriction(profile_, tags);
  if (kind == RestrictionKind::kNone) return;
  ++stats.restrictions_read;
  int64_t from = 0, to = 0;
  int from_count = 0, to_count = 0, via_nodes = 0, via_ways = 0;
  const uint32_t via_first = static_cast<uint32_t>(restriction_via.size());
  for (const auto& m : members) {
    if (m.role == "from" && m.type == 'w') {
      from = m.id;
      ++from_count;
    } else if (m.role == "to" && m.type == 'w') {
      to = m.id;
      ++to_count;
    } else if (m.role == "via") {
      if (m.type == 'n') ++via_nodes;
      else if (m.type == 'w') ++via_ways;
      restriction_via.push_back(m.id);
    }
  }
  const uint32_t via_count = static_cast<uint32_t>(restriction_via.size()) - via_first;
  // Exactly one from and one to way, and either one via node or a chain of via ways.
  const bool valid = from_count == 1 && to_count == 1 && via_count > 0 &&
                     ((via_nodes == 1 && via_ways == 0) || (via_nodes == 0 && via_ways > 0));
  if (!valid) {
    restriction_via.resize(via_first);
    ++stats.restrictions_incomplete;
    return;
  }
  restrictions.push_back({from, to, via_first, via_count, via_nodes == 1, kind});
}

}  // namespace waymark
