#pragma once
// A routing profile is data: tables of speeds and access rules, filled from the TypeScript profile
// tables (src/profiles/). The importer only calls evaluateWay/evaluateNode, so a new profile needs
// no importer change.
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "osm/opl_reader.h"

namespace waymark {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using SpeedTable = std::unordered_map<std::string, double, StringHash, std::equal_to<>>;
using StringSet = std::unordered_set<std::string, StringHash, std::equal_to<>>;

struct Profile {
  std::string name;
  SpeedTable highway_speeds;      // highway=* -> km/h; a class missing here is not routable
  SpeedTable service_speeds;      // service=* -> km/h cap; 0 excludes the way
  SpeedTable surface_speeds;      // surface=* -> km/h cap
  SpeedTable access_value_speeds; // access value -> km/h cap (bicycle=dismount -> walking pace)
  std::vector<std::string> access_tags;  // least to most specific: the most specific present tag wins
  StringSet access_denied;
  StringSet access_allowed;
  double access_allowed_speed = 0;  // speed of ways outside highway_speeds that access tags open up
  bool oneway = true;                       // false: every way is two-way (foot)
  std::vector<std::string> oneway_tags;     // most specific first
  std::vector<std::pair<std::string, std::string>> oneway_exemptions;  // key=value allowing contraflow
  StringSet implied_oneway_highways;
  StringSet implied_oneway_junctions;
  bool use_maxspeed = true;
  double maxspeed_factor = 0.8;  // drive at this fraction of the legal limit
  double maxspeed_none = 130;    // maxspeed=none
  SpeedTable maxspeed_zones;     // "urban", "DE:rural", "motorway", "walk", ... -> km/h
  bool ferries = true;
  double ferry_speed = 5;
  StringSet barrier_passable;  // barrier=* values that do not block; every other barrier does
  std::vector<std::string> restriction_tags;  // most specific first: restriction:motorcar, restriction
  StringSet vehicle_types;                    // names this profile answers to in except=
  std::vector<std::pair<std::string, std::string>> excluded_tags;  // key=value that removes a way
  double u_turn_penalty_s = 20;
  double traffic_signal_penalty_s = 2;
  // Seconds lost passing a node tagged key=value ("*" matches any value): gates, stop signs,
  // crossings. Summed when several match; traffic signals use traffic_signal_penalty_s.
  struct NodePenalty {
    std::string key, value;
    double seconds;
  };
  std::vector<NodePenalty> node_penalties;
  // oneway=reversible|alternating (direction changes over time): closed both ways, or open both
  // ways with a penalty per traversal. Both values are always treated alike.
  bool time_varying_oneway_open = false;
  double time_varying_oneway_penalty_s = 0;
};

// Road classes stored per edge (one byte), in the order of importance.
enum RoadClass : uint8_t {
  kMotorway = 0,
  kTrunk,
  kPrimary,
  kSecondary,
  kTertiary,
  kUnclassified,
  kResidential,
  kLivingStreet,
  kService,
  kTrack,
  kPath,
  kFerry,
  kOtherRoad,
};
RoadClass roadClassOf(std::string_view highway);
const char* roadClassName(uint8_t road_class);

enum EdgeFlags : uint8_t {
  kFlagRoundabout = 1,
  kFlagFerry = 2,
  kFlagLink = 4,
  kFlagToll = 8,
  kFlagUnpaved = 16,  // unpaved surface, or a track without a paved surface or grade1 tracktype
};

// Surface per edge (one byte), the categories of GraphHopper's `surface` encoded value.
enum Surface : uint8_t {
  kSurfaceMissing = 0,
  kSurfacePaved,
  kSurfaceAsphalt,
  kSurfaceConcrete,
  kSurfacePavingStones,
  kSurfaceCobblestone,
  kSurfaceGravel,
  kSurfaceFineGravel,
  kSurfaceCompacted,
  kSurfaceDirt,
  kSurfaceGround,
  kSurfaceUnpaved,
  kSurfaceSand,
  kSurfaceWood,
  kSurfaceGrass,
  kSurfaceOther,
  kSurfaceCount,
};
Surface surfaceOf(std::string_view surface);
const char* surfaceName(uint8_t surface);
bool isUnpavedSurface(uint8_t surface);

// Legal access of an edge for the profile's vehicle (one byte), GraphHopper's `road_access` values:
// what the most specific applicable access tag says (yes/designated/permissive/none = kAccessYes).
enum RoadAccess : uint8_t {
  kAccessYes = 0,
  kAccessDestination,
  kAccessCustomers,
  kAccessDelivery,
  kAccessForestry,
  kAccessAgricultural,
  kAccessPrivate,
  kAccessNo,
  kAccessOther,
  kAccessCount,
};
RoadAccess roadAccessOf(std::string_view access_value);
const char* roadAccessName(uint8_t access);

// Tagged speed limit per edge (one byte): km/h up to 254, kMaxspeedNone for no limit, 0 unknown.
constexpr uint8_t kMaxspeedUnknown = 0;
constexpr uint8_t kMaxspeedNone = 255;

struct WayAttributes {
  bool routable = false;
  double speed_forward = 0;   // km/h along the node order; 0 = not allowed that way
  double speed_backward = 0;
  double penalty_s = 0;       // added once per traversal (time-varying oneways)
  double ferry_duration_s = -1;  // whole-way duration from a ferry's duration=*, when given
  uint8_t road_class = kOtherRoad;
  uint8_t flags = 0;
  uint8_t surface = kSurfaceMissing;
  uint8_t access = kAccessYes;
  uint8_t maxspeed = kMaxspeedUnknown;
  std::string_view name;
  std::string_view ref;  // the way's ref=* (road number), separate from its name as OSRM reports it
};

WayAttributes evaluateWay(const Profile& profile, const OplTags& tags);

struct NodeAttributes {
  bool blocks = false;          // blocking barrier, or access denied on the node itself
  bool traffic_signal = false;
  double penalty_s = 0;         // passing delay (signals, passable barriers, stop signs, crossings)
};
NodeAttributes evaluateNode(const Profile& profile, const OplTags& tags);

// Turn restriction kinds as the profile sees them.
enum class RestrictionKind : uint8_t { kNone = 0, kProhibit = 1, kMandatory = 2 };
// The manoeuvre a restriction names (no_left_turn -> kLeft), used to pick the right edges where a
// way passes through the via node; kAny for no_entry/no_exit and unknown suffixes.
enum class RestrictionTurn : uint8_t { kAny = 0, kLeft, kRight, kStraight, kUTurn };
// Why a type=restriction relation does not apply to this profile.
enum class RestrictionSkip : uint8_t {
  kApplies = 0,
  kOnRed,        // *_on_red: a permission rule at signals, not a turn ban
  kConditional,  // only restriction:conditional (conditions are not evaluated)
  kExcepted,     // except=* names this vehicle
  kOtherVehicle, // only restriction:<other vehicle> tags
  kUnknownValue, // a value that is neither no_* nor only_*
};
struct RestrictionTags {
  RestrictionKind kind = RestrictionKind::kNone;
  RestrictionTurn turn = RestrictionTurn::kAny;
  RestrictionSkip skip = RestrictionSkip::kApplies;
};
// Not a restriction at all (type != restriction) gives kind kNone with skip kApplies.
RestrictionTags evaluateRestriction(const Profile& profile, const OplTags& tags);

// Parsing helpers, exposed for tests.
double parseMaxspeedKmh(const Profile& profile, std::string_view value);  // <= 0 when unknown
double parseDurationSeconds(std::string_view value);                     // < 0 when unknown

}  // namespace waymark
