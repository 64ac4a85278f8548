#pragma once
// Keeps what routing needs from the OPL stream, in flat vectors: the routable ways (node ids and
// locations inline), blocking barrier and traffic-signal node ids, and turn restrictions. Ways that
// reference nodes missing from a clipped extract are split there; nothing missing is fatal.
#include <cstdint>
#include <vector>

#include "osm/name_table.h"
#include "osm/opl_reader.h"
#include "osm/profile.h"

namespace waymark {

struct CollectedWay {
  int64_t osm_id;
  uint32_t first_ref;  // into ref_id/ref_lon/ref_lat
  uint32_t ref_count;
  float speed_forward;  // km/h, 0 = not allowed
  float speed_backward;
  float ferry_duration_s;  // < 0 when not given
  float penalty_s;         // once per traversal of the whole way
  uint32_t name_id;
  uint32_t ref_name_id;  // the way's ref=*, in the same name table
  uint8_t road_class;
  uint8_t flags;
  uint8_t surface;
  uint8_t access;
  uint8_t maxspeed;
};

// A restriction relation: several from ways (no_entry) or several to ways (no_exit) are allowed;
// via is one node or a chain of ways. All member ids are in restriction_members:
// [from_first, from_first + from_count) from ways, then to ways, then via members.
struct CollectedRestriction {
  int64_t osm_id;
  uint32_t from_first;
  uint32_t from_count;
  uint32_t to_count;
  uint32_t via_count;
  bool via_is_node;
  RestrictionKind kind;
  RestrictionTurn turn;
  uint32_t toFirst() const { return from_first + from_count; }
  uint32_t viaFirst() const { return from_first + from_count + to_count; }
};

// Restrictions that were read but do not apply, by reason (see RestrictionSkip and the graph
// builder's RoadGraphReport for the ones dropped later).
struct RestrictionSkipCounts {
  uint64_t on_red = 0;
  uint64_t conditional = 0;
  uint64_t excepted = 0;
  uint64_t other_vehicle = 0;
  uint64_t unknown_value = 0;
  uint64_t incomplete = 0;  // members missing or malformed (no from, no to, no via, mixed via)
};

struct ImportStats {
  uint64_t osm_nodes = 0;
  uint64_t osm_ways = 0;
  uint64_t osm_relations = 0;
  uint64_t routable_ways = 0;
  uint64_t missing_node_refs = 0;
  uint64_t restrictions_read = 0;  // type=restriction relations
  RestrictionSkipCounts restrictions_skipped;
};

struct PenaltyNode {
  int64_t id;
  uint32_t penalty_ms;
};

class OsmCollector : public OplHandler {
 public:
  explicit OsmCollector(Profile profile) : profile_(std::move(profile)) {}
  void node(int64_t id, const OplTags& tags, bool has_location, int32_t lon, int32_t lat) override;
  void way(int64_t id, const OplTags& tags, const std::vector<OplWayNode>& nodes) override;
  void relation(int64_t id, const OplTags& tags, const std::vector<OplMember>& members) override;

  const Profile& profile() const { return profile_; }
  Profile profile_;
  std::vector<int64_t> ref_id;
  std::vector<int32_t> ref_lon;
  std::vector<int32_t> ref_lat;
  std::vector<CollectedWay> ways;
  std::vector<int64_t> blocking_nodes;
  std::vector<int64_t> signal_nodes;
  std::vector<PenaltyNode> penalty_nodes;  // passing delays (signals included)
  std::vector<CollectedRestriction> restrictions;
  std::vector<int64_t> restriction_members;
  NameTable names;
  ImportStats stats;
};

}  // namespace waymark
