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
  uint32_t name_id;
  uint8_t road_class;
  uint8_t flags;
};

struct CollectedRestriction {
  int64_t from_way;
  int64_t to_way;
  uint32_t via_first;  // into restriction_via
  uint32_t via_count;
  bool via_is_node;
  RestrictionKind kind;
};

struct ImportStats {
  uint64_t osm_nodes = 0;
  uint64_t osm_ways = 0;
  uint64_t osm_relations = 0;
  uint64_t routable_ways = 0;
  uint64_t missing_node_refs = 0;
  uint64_t restrictions_read = 0;
  uint64_t restrictions_incomplete = 0;
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
  std::vector<CollectedRestriction> restrictions;
  std::vector<int64_t> restriction_via;
  NameTable names;
  ImportStats stats;
};

}  // namespace waymark
