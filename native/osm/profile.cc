#include "osm/profile.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace waymark {

namespace {

bool startsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

double lookup(const SpeedTable& table, std::string_view key, double fallback) {
  auto it = table.find(key);
  return it == table.end() ? fallback : it->second;
}

// Leading number of `s` ("50", "7.5", "50 mph"), with how many characters it used.
double leadingNumber(std::string_view s, size_t& used) {
  used = 0;
  double value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc()) return -1;
  used = ptr - s.data();
  return value;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// Access decision from the most specific access tag present: 0 unknown, 1 allowed, -1 denied.
// `suffix` (":forward"/":backward") makes the directional form of each tag more specific than the
// plain one at the same level (motor_vehicle:forward=no beats motor_vehicle=yes and access=yes).
int accessVerdict(const Profile& profile, const OplTags& tags, std::string_view* value_out = nullptr,
                  std::string_view suffix = {}) {
  std::string keyed;
  for (auto it = profile.access_tags.rbegin(); it != profile.access_tags.rend(); ++it) {
    std::string_view v;
    if (!suffix.empty()) {
      keyed.assign(*it).append(suffix);
      v = tags.get(keyed);
    }
    if (v.empty()) v = tags.get(*it);
    if (v.empty()) continue;
    // "yes;no" style lists: the first value decides.
    v = trim(v.substr(0, v.find(';')));
    if (value_out) *value_out = v;
    if (profile.access_denied.count(v)) return -1;
    if (profile.access_allowed.count(v) || profile.access_value_speeds.count(v)) return 1;
  }
  return 0;
}

}  // namespace

RoadClass roadClassOf(std::string_view h) {
  if (startsWith(h, "motorway")) return kMotorway;
  if (startsWith(h, "trunk")) return kTrunk;
  if (startsWith(h, "primary")) return kPrimary;
  if (startsWith(h, "secondary")) return kSecondary;
  if (startsWith(h, "tertiary")) return kTertiary;
  if (h == "unclassified" || h == "road") return kUnclassified;
  if (h == "residential") return kResidential;
  if (h == "living_street") return kLivingStreet;
  if (h == "service") return kService;
  if (h == "track") return kTrack;
  if (h == "path" || h == "footway" || h == "cycleway" || h == "pedestrian" || h == "steps" || h == "bridleway")
    return kPath;
  return kOtherRoad;
}

const char* roadClassName(uint8_t c) {
  static const char* names[] = {"motorway", "trunk",  "primary", "secondary", "tertiary", "unclassified", "residential",
                                "living_street", "service", "track", "path", "ferry", "other"};
  return c <= kOtherRoad ? names[c] : "other";
}

Surface surfaceOf(std::string_view s) {
  if (s.empty()) return kSurfaceMissing;
  s = s.substr(0, s.find(';'));
  static const std::pair<std::string_view, Surface> table[] = {
      {"paved", kSurfacePaved},           {"asphalt", kSurfaceAsphalt},
      {"chipseal", kSurfaceAsphalt},      {"concrete", kSurfaceConcrete},
      {"concrete:plates", kSurfaceConcrete}, {"concrete:lanes", kSurfaceConcrete},
      {"paving_stones", kSurfacePavingStones}, {"paving_stones:lanes", kSurfacePavingStones},
      {"cobblestone", kSurfaceCobblestone}, {"sett", kSurfaceCobblestone},
      {"unhewn_cobblestone", kSurfaceCobblestone}, {"gravel", kSurfaceGravel},
      {"pebblestone", kSurfaceGravel},    {"fine_gravel", kSurfaceFineGravel},
      {"compacted", kSurfaceCompacted},   {"dirt", kSurfaceDirt},
      {"earth", kSurfaceDirt},            {"mud", kSurfaceDirt},
      {"ground", kSurfaceGround},         {"unpaved", kSurfaceUnpaved},
      {"sand", kSurfaceSand},             {"wood", kSurfaceWood},
      {"grass", kSurfaceGrass},           {"grass_paver", kSurfaceGrass},
  };
  for (const auto& [name, surface] : table)
    if (s == name) return surface;
  return kSurfaceOther;
}

const char* surfaceName(uint8_t s) {
  static const char* names[] = {"missing", "paved", "asphalt", "concrete", "paving_stones", "cobblestone", "gravel", "fine_gravel",
                                "compacted", "dirt", "ground", "unpaved", "sand", "wood", "grass", "other"};
  return s < kSurfaceCount ? names[s] : "other";
}

bool isUnpavedSurface(uint8_t s) {
  return s == kSurfaceGravel || s == kSurfaceFineGravel || s == kSurfaceCompacted || s == kSurfaceDirt || s == kSurfaceGround ||
         s == kSurfaceUnpaved || s == kSurfaceSand || s == kSurfaceGrass;
}

RoadAccess roadAccessOf(std::string_view v) {
  if (v.empty() || v == "yes" || v == "designated" || v == "permissive" || v == "official") return kAccessYes;
  if (v == "destination") return kAccessDestination;
  if (v == "customers") return kAccessCustomers;
  if (v == "delivery") return kAccessDelivery;
  if (v == "forestry") return kAccessForestry;
  if (v == "agricultural") return kAccessAgricultural;
  if (v == "private") return kAccessPrivate;
  if (v == "no") return kAccessNo;
  return kAccessOther;
}

const char* roadAccessName(uint8_t a) {
  static const char* names[] = {"yes", "destination", "customers", "delivery", "forestry", "agricultural", "private", "no", "other"};
  return a < kAccessCount ? names[a] : "other";
}

double parseMaxspeedKmh(const Profile& profile, std::string_view value) {
  value = trim(value.substr(0, value.find(';')));
  if (value.empty()) return -1;
  if (value == "none") return profile.maxspeed_none;
  // Zone and country-style values: "DE:urban", "RO:rural", "GB:nsl_single", "walk", "DE:zone30".
  if (auto it = profile.maxspeed_zones.find(value); it != profile.maxspeed_zones.end()) return it->second;
  const size_t colon = value.find(':');
  if (colon != std::string_view::npos) {
    std::string_view suffix = value.substr(colon + 1);
    if (auto it = profile.maxspeed_zones.find(suffix); it != profile.maxspeed_zones.end()) return it->second;
    // zone30, zone:30
    if (startsWith(suffix, "zone")) {
      std::string_view digits = suffix.substr(4);
      if (!digits.empty() && digits[0] == ':') digits.remove_prefix(1);
      size_t used = 0;
      double v = leadingNumber(digits, used);
      if (used > 0 && v > 0) return v;
    }
    return -1;
  }
  size_t used = 0;
  double v = leadingNumber(value, used);
  if (used == 0 || v <= 0 || !std::isfinite(v)) return -1;
  std::string_view unit = trim(value.substr(used));
  if (unit.empty() || unit == "km/h" || unit == "kmh" || unit == "kph") return v;
  if (unit == "mph") return v * 1.609344;
  if (unit == "knots") return v * 1.852;
  return -1;
}

double parseDurationSeconds(std::string_view value) {
  value = trim(value);
  if (value.empty()) return -1;
  if (value[0] == 'P') {
    // ISO 8601: PT1H30M, P1DT2H, PT45M
    double total = 0;
    bool in_time = false;
    size_t i = 1;
    while (i < value.size()) {
      if (value[i] == 'T') {
        in_time = true;
        ++i;
        continue;
      }
      size_t used = 0;
      double n = leadingNumber(value.substr(i), used);
      if (used == 0 || i + used >= value.size()) return -1;
      const char unit = value[i + used];
      if (unit == 'D') total += n * 86400;
      else if (unit == 'H' && in_time) total += n * 3600;
      else if (unit == 'M' && in_time) total += n * 60;
      else if (unit == 'S' && in_time) total += n;
      else return -1;
      i += used + 1;
    }
    return total;
  }
  // HH:MM[:SS] or plain minutes
  double parts[3] = {0, 0, 0};
  int count = 0;
  size_t i = 0;
  while (i <= value.size() && count < 3) {
    size_t used = 0;
    double n = leadingNumber(value.substr(i), used);
    if (used == 0 || n < 0) return -1;
    parts[count++] = n;
    i += used;
    if (i >= value.size()) break;
    if (value[i] != ':') return -1;
    ++i;
  }
  if (i < value.size()) return -1;
  if (count == 1) return parts[0] * 60;
  if (count == 2) return parts[0] * 3600 + parts[1] * 60;
  return parts[0] * 3600 + parts[1] * 60 + parts[2];
}

WayAttributes evaluateWay(const Profile& profile, const OplTags& tags) {
  WayAttributes a;
  for (const auto& [k, v] : profile.excluded_tags)
    if (tags.get(k) == v) return a;

  const std::string_view highway = tags.get("highway");
  const bool is_ferry = tags.get("route") == "ferry";
  std::string_view access_value, access_forward_value, access_backward_value;
  const int access_forward = accessVerdict(profile, tags, &access_forward_value, ":forward");
  const int access_backward = accessVerdict(profile, tags, &access_backward_value, ":backward");
  if (access_forward < 0 && access_backward < 0) return a;
  const int access = std::max(access_forward, access_backward);
  access_value = access_forward >= access_backward ? access_forward_value : access_backward_value;

  double speed = 0;
  if (is_ferry && highway.empty()) {
    if (!profile.ferries) return a;
    speed = profile.ferry_speed;
    a.road_class = kFerry;
    a.flags |= kFlagFerry;
    a.ferry_duration_s = parseDurationSeconds(tags.get("duration"));
  } else {
    if (highway.empty()) return a;
    auto it = profile.highway_speeds.find(highway);
    if (it != profile.highway_speeds.end()) {
      speed = it->second;
    } else if (access > 0 && profile.access_allowed_speed > 0) {
      speed = profile.access_allowed_speed;
    } else {
      return a;
    }
    if (speed <= 0) return a;
    a.road_class = roadClassOf(highway);
    if (highway.size() > 5 && highway.substr(highway.size() - 5) == "_link") a.flags |= kFlagLink;
    if (std::string_view service = tags.get("service"); !service.empty()) {
      double cap = lookup(profile.service_speeds, service, -1);
      if (cap == 0) return a;
      if (cap > 0) speed = std::min(speed, cap);
    }
    if (profile.use_maxspeed) {
      double limit = parseMaxspeedKmh(profile, tags.get("maxspeed"));
      if (limit > 0) speed = limit * profile.maxspeed_factor;
    }
    if (std::string_view surface = tags.get("surface"); !surface.empty()) {
      double cap = lookup(profile.surface_speeds, surface, -1);
      if (cap > 0) speed = std::min(speed, cap);
    }
  }
  if (!access_value.empty()) {
    double cap = lookup(profile.access_value_speeds, access_value, -1);
    if (cap > 0) speed = std::min(speed, cap);
  }
  if (tags.get("toll") == "yes") a.flags |= kFlagToll;

  double forward = speed, backward = speed;
  // Per-direction limits where tagged.
  if (profile.use_maxspeed && !is_ferry) {
    double f = parseMaxspeedKmh(profile, tags.get("maxspeed:forward"));
    double b = parseMaxspeedKmh(profile, tags.get("maxspeed:backward"));
    if (f > 0) forward = f * profile.maxspeed_factor;
    if (b > 0) backward = b * profile.maxspeed_factor;
  }

  const std::string_view junction = tags.get("junction");
  if (!junction.empty() && (junction == "roundabout" || junction == "circular")) a.flags |= kFlagRoundabout;
  if (profile.oneway) {
    std::string_view oneway;
    for (const auto& key : profile.oneway_tags) {
      oneway = tags.get(key);
      if (!oneway.empty()) break;
    }
    bool exempt = false;
    for (const auto& [k, v] : profile.oneway_exemptions) {
      std::string_view tv = tags.get(k);
      if (!tv.empty() && (v.empty() || startsWith(tv, v))) exempt = true;
    }
    if (oneway == "yes" || oneway == "1" || oneway == "true") {
      if (!exempt) backward = 0;
    } else if (oneway == "-1" || oneway == "reverse") {
      if (!exempt) forward = 0;
    } else if (oneway == "reversible" || oneway == "alternating") {
      // The direction changes over time: closed both ways, or open both ways at a penalty.
      if (!profile.time_varying_oneway_open) return a;
      a.penalty_s = profile.time_varying_oneway_penalty_s;
    } else if (oneway.empty() || oneway != "no") {
      if ((profile.implied_oneway_highways.count(highway) || profile.implied_oneway_junctions.count(junction)) &&
          !exempt)
        backward = 0;
    }
  }
  if (access_forward < 0) forward = 0;
  if (access_backward < 0) backward = 0;
  a.speed_forward = forward;
  a.speed_backward = backward;
  a.routable = forward > 0 || backward > 0;
  a.name = tags.get("name");
  a.ref = tags.get("ref");
  if (a.name.empty()) a.name = a.ref;
  a.surface = surfaceOf(tags.get("surface"));
  const std::string_view tracktype = tags.get("tracktype");
  if (isUnpavedSurface(a.surface) || (highway == "track" && a.surface == kSurfaceMissing && tracktype != "grade1"))
    a.flags |= kFlagUnpaved;
  a.access = roadAccessOf(access_value);
  if (std::string_view ms = trim(tags.get("maxspeed").substr(0, tags.get("maxspeed").find(';'))); ms == "none") {
    a.maxspeed = kMaxspeedNone;
  } else if (const double limit = parseMaxspeedKmh(profile, ms); limit > 0) {
    a.maxspeed = static_cast<uint8_t>(std::clamp(std::lround(limit), 1L, 254L));
  }
  return a;
}

NodeAttributes evaluateNode(const Profile& profile, const OplTags& tags) {
  NodeAttributes n;
  const std::string_view barrier = tags.get("barrier");
  const int access = accessVerdict(profile, tags);
  // Access denied on a node closes it whether or not it is tagged as a barrier (OSRM does the same).
  if (access < 0) n.blocks = true;
  else if (!barrier.empty() && access == 0 && !profile.barrier_passable.count(barrier)) n.blocks = true;
  n.traffic_signal = tags.get("highway") == "traffic_signals";
  if (n.traffic_signal) n.penalty_s += profile.traffic_signal_penalty_s;
  for (const auto& p : profile.node_penalties) {
    const std::string_view v = tags.get(p.key);
    if (!v.empty() && (p.value == "*" || v == p.value)) n.penalty_s += p.seconds;
  }
  return n;
}

RestrictionTags evaluateRestriction(const Profile& profile, const OplTags& tags) {
  RestrictionTags r;
  if (tags.get("type") != "restriction") return r;
  std::string_view except = tags.get("except");
  while (!except.empty()) {
    const size_t semi = except.find(';');
    if (profile.vehicle_types.count(trim(except.substr(0, semi)))) {
      r.skip = RestrictionSkip::kExcepted;
      return r;
    }
    if (semi == std::string_view::npos) break;
    except.remove_prefix(semi + 1);
  }
  for (const auto& key : profile.restriction_tags) {
    std::string_view value = trim(tags.get(key));
    if (value.empty()) continue;
    if (value.size() > 7 && value.substr(value.size() - 7) == "_on_red") {
      r.skip = RestrictionSkip::kOnRed;
      return r;
    }
    std::string_view manoeuvre;
    if (startsWith(value, "no_")) {
      r.kind = RestrictionKind::kProhibit;
      manoeuvre = value.substr(3);
    } else if (startsWith(value, "only_")) {
      r.kind = RestrictionKind::kMandatory;
      manoeuvre = value.substr(5);
    } else {
      r.skip = RestrictionSkip::kUnknownValue;
      return r;
    }
    if (manoeuvre == "left_turn") r.turn = RestrictionTurn::kLeft;
    else if (manoeuvre == "right_turn") r.turn = RestrictionTurn::kRight;
    else if (manoeuvre == "straight_on") r.turn = RestrictionTurn::kStraight;
    else if (manoeuvre == "u_turn") r.turn = RestrictionTurn::kUTurn;
    return r;
  }
  // A restriction relation with no key for this profile: conditional, or for other vehicles.
  for (const auto& t : tags.items) {
    if (startsWith(t.key, "restriction:") && t.key.find("conditional") != std::string_view::npos) {
      r.skip = RestrictionSkip::kConditional;
      return r;
    }
  }
  r.skip = RestrictionSkip::kOtherVehicle;
  return r;
}

}  // namespace waymark
