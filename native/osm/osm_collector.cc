#include "osm/osm_collector.h"

#include <algorithm>
#include <cmath>

namespace waymark {

void OsmCollector::node(int64_t id, const OplTags& tags, bool, int32_t, int32_t) {
  ++stats.osm_nodes;
  if (tags.items.empty()) return;
  const NodeAttributes a = evaluateNode(profile_, tags);
  if (a.blocks) blocking_nodes.push_back(id);
  if (a.traffic_signal) signal_nodes.push_back(id);
  if (a.penalty_s > 0) penalty_nodes.push_back({id, static_cast<uint32_t>(std::llround(std::min(a.penalty_s, 86400.0) * 1000.0))});
}

void OsmCollector::way(int64_t id, const OplTags& tags, const std::vector<OplWayNode>& nodes) {
  ++stats.osm_ways;
  const WayAttributes a = evaluateWay(profile_, tags);
  if (!a.routable) return;
  ++stats.routable_ways;
  const uint32_t name_id = names.intern(a.name);
  const uint32_t ref_name_id = names.intern(a.ref);
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
                      static_cast<float>(a.speed_backward), static_cast<float>(a.ferry_duration_s), static_cast<float>(a.penalty_s), name_id, ref_name_id,
                      a.road_class, a.flags, a.surface, a.access, a.maxspeed});
    } else {
      ref_id.resize(start);
      ref_lon.resize(start);
      ref_lat.resize(start);
    }
  }
}

void OsmCollector::relation(int64_t id, const OplTags& tags, const std::vector<OplMember>& members) {
  ++stats.osm_relations;
  if (tags.get("type") != "restriction") return;
  ++stats.restrictions_read;
  const RestrictionTags r = evaluateRestriction(profile_, tags);
  RestrictionSkipCounts& skipped = stats.restrictions_skipped;
  switch (r.skip) {
    case RestrictionSkip::kApplies: break;
    case RestrictionSkip::kOnRed: ++skipped.on_red; return;
    case RestrictionSkip::kConditional: ++skipped.conditional; return;
    case RestrictionSkip::kExcepted: ++skipped.excepted; return;
    case RestrictionSkip::kOtherVehicle: ++skipped.other_vehicle; return;
    case RestrictionSkip::kUnknownValue: ++skipped.unknown_value; return;
  }
  const uint32_t first = static_cast<uint32_t>(restriction_members.size());
  uint32_t from_count = 0, to_count = 0, via_nodes = 0, via_ways = 0;
  // Three passes keep from, to and via members contiguous in that order.
  for (const auto& m : members)
    if (m.role == "from" && m.type == 'w') restriction_members.push_back(m.id), ++from_count;
  for (const auto& m : members)
    if (m.role == "to" && m.type == 'w') restriction_members.push_back(m.id), ++to_count;
  for (const auto& m : members) {
    if (m.role != "via") continue;
    if (m.type == 'n') ++via_nodes;
    else if (m.type == 'w') ++via_ways;
    else continue;
    restriction_members.push_back(m.id);
  }
  // One via node or a chain of via ways; several from ways only with one to way and vice versa
  // (no_entry / no_exit); a mandatory turn has exactly one to way.
  const bool valid = from_count >= 1 && to_count >= 1 && (from_count == 1 || to_count == 1) &&
                     ((via_nodes == 1 && via_ways == 0) || (via_nodes == 0 && via_ways > 0)) &&
                     !(r.kind == RestrictionKind::kMandatory && to_count > 1);
  if (!valid) {
    restriction_members.resize(first);
    ++skipped.incomplete;
    return;
  }
  restrictions.push_back({id, first, from_count, to_count, via_nodes + via_ways, via_nodes == 1, r.kind, r.turn});
}

}  // namespace waymark
