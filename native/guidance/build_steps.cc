#include "guidance/build_steps.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>

#include "common/geo.h"
#include "guidance/road_bearings.h"
#include "osm/profile.h"

namespace waymark {

namespace {

// What the driver sees at the node between two consecutive pieces.
struct Junction {
  uint32_t node = 0;
  std::vector<RoadAtNode> roads;
  int in = -1;   // road arrived by (as it leaves the node)
  int out = -1;  // road left by
  double bearing_before = 0, bearing_after = 0;
};

uint32_t endNode(const RoadMap& road, const RoutePiece& p) { return p.dir == 0 ? road.edge_to[p.edge] : road.edge_from[p.edge]; }

Junction junctionBetween(const RoadMap& road, const RoutePiece& a, const RoutePiece& b) {
  Junction j;
  j.node = endNode(road, a);
  j.roads = roadsAt(road, j.node);
  for (size_t i = 0; i < j.roads.size(); ++i) {
    if (j.roads[i].edge == a.edge && j.roads[i].dir == 1 - a.dir && j.in < 0) j.in = int(i);
    if (j.roads[i].edge == b.edge && j.roads[i].dir == b.dir && j.out < 0) j.out = int(i);
  }
  const double back = j.in >= 0 ? j.roads[j.in].bearing : bearingLeaving(road, a.edge, 1 - a.dir);
  j.bearing_before = std::fmod(back + 180.0, 360.0);
  j.bearing_after = j.out >= 0 ? j.roads[j.out].bearing : bearingLeaving(road, b.edge, b.dir);
  return j;
}

uint16_t roundBearing(double b) { return static_cast<uint16_t>(std::lround(b) % 360); }

StepIntersection intersectionOf(const RoadMap& road, const Junction& j) {
  StepIntersection x;
  x.lon = toDegrees(road.node_lon[j.node]);
  x.lat = toDegrees(road.node_lat[j.node]);
  std::vector<size_t> order(j.roads.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t p, size_t q) { return roundBearing(j.roads[p].bearing) < roundBearing(j.roads[q].bearing); });
  for (size_t k = 0; k < order.size(); ++k) {
    const size_t i = order[k];
    x.bearings.push_back(roundBearing(j.roads[i].bearing));
    // The road arrived by is no entry, unless the route turns back into it.
    x.entry.push_back(j.roads[i].enterable && (int(i) != j.in || j.in == j.out) ? 1 : 0);
    if (int(i) == j.in) x.in = int(k);
    if (int(i) == j.out) x.out = int(k);
  }
  return x;
}

bool isRoundabout(const RoadMap& road, const RoutePiece& p) { return road.edge_flags[p.edge] & kFlagRoundabout; }
bool isFerry(const RoadMap& road, const RoutePiece& p) { return road.edge_flags[p.edge] & kFlagFerry; }
bool isLink(const RoadMap& road, const RoutePiece& p) { return road.edge_flags[p.edge] & kFlagLink; }
bool isHighway(const RoadMap& road, const RoutePiece& p) { return road.edge_class[p.edge] <= kTrunk && !isLink(road, p); }

struct Decision {
  ManeuverType type;
  Modifier modifier;
};

// Whether the junction between a and b deserves a step, and which.
std::optional<Decision> classify(const RoadMap& road, const RoutePiece& a, const RoutePiece& b, const Junction& j) {
  const double angle = turnAngle(j.bearing_before, j.bearing_after);
  const Modifier mod = modifierOf(angle);
  const double dev = deviationFromStraight(angle);
  const bool renamed = road.edge_name[a.edge] != road.edge_name[b.edge];
  std::vector<double> options;  // turn angles of every road that may be taken (the one taken included)
  for (size_t i = 0; i < j.roads.size(); ++i)
    if (j.roads[i].enterable && int(i) != j.in) options.push_back(turnAngle(j.bearing_before, j.roads[i].bearing));

  if (isFerry(road, a) != isFerry(road, b)) return Decision{ManeuverType::kNotification, mod};
  if (isRoundabout(road, a) && isRoundabout(road, b)) return std::nullopt;  // around a ring the route started on
  if (isRoundabout(road, a) && !isRoundabout(road, b)) return Decision{ManeuverType::kExitRoundabout, mod};  // started inside one
  const bool a_link = isLink(road, a), b_link = isLink(road, b);
  if (!a_link && b_link) return Decision{isHighway(road, a) ? ManeuverType::kOffRamp : ManeuverType::kOnRamp, mod};
  if (a_link && !b_link && isHighway(road, b)) return Decision{ManeuverType::kMerge, mod};
  if (a_link && b_link) {
    if (options.size() >= 2) return Decision{ManeuverType::kFork, angle < 180 ? Modifier::kSlightRight : Modifier::kSlightLeft};
    return std::nullopt;
  }
  if (options.size() <= 1) {
    // No choice here: only a change of street is worth telling.
    if (!renamed) return std::nullopt;
    return Decision{dev <= 45 ? ManeuverType::kNewName : ManeuverType::kTurn, mod};
  }
  if (!renamed && dev <= 30) return std::nullopt;  // straight on along the same street
  // Two ways on, both roughly ahead: a fork.
  if (options.size() == 2 && deviationFromStraight(options[0]) <= 50 && deviationFromStraight(options[1]) <= 50 && dev > 0)
    return Decision{ManeuverType::kFork, angle < 180 ? Modifier::kSlightRight : Modifier::kSlightLeft};
  // Nothing ahead, roads to both sides: the end of the road.
  bool ahead = false, left = false, right = false;
  for (double o : options) {
    ahead = ahead || deviationFromStraight(o) <= 45;
    right = right || (o > 45 && o < 170);
    left = left || (o > 190 && o < 315);
  }
  if (!ahead && left && right && dev > 45) return Decision{ManeuverType::kEndOfRoad, mod};
  if (!renamed) return Decision{ManeuverType::kContinue, mod};
  if (dev <= 20) return Decision{ManeuverType::kNewName, Modifier::kStraight};
  return Decision{ManeuverType::kTurn, mod};
}

// Ring length of the roundabout through `node`, following enterable roundabout roads (0 if it does
// not close within a bounded walk).
double ringLength(const RoadMap& road, uint32_t node) {
  double length = 0;
  uint32_t v = node;
  for (int hops = 0; hops < 64; ++hops) {
    std::optional<RoadAtNode> next;
    for (const auto& r : roadsAt(road, v))
      if (r.enterable && (road.edge_flags[r.edge] & kFlagRoundabout)) next = r;
    if (!next) return 0;
    length += road.edge_length_cm[next->edge] / 100.0;
    v = next->dir == 0 ? road.edge_to[next->edge] : road.edge_from[next->edge];
    if (v == node) return length;
  }
  return 0;
}

// Bearing along the geometry from coordinate `i`, looking kBearingLookaheadM ahead (step +1) or back
// (step -1) but not beyond `limit`.
double bearingAlong(const std::vector<double>& c, uint32_t i, uint32_t limit, int step) {
  const double lon0 = c[2 * i], lat0 = c[2 * i + 1];
  uint32_t k = i;
  while (k != limit) {
    k = uint32_t(int64_t(k) + step);
    if (haversineMeters(lon0, lat0, c[2 * k], c[2 * k + 1]) >= kBearingLookaheadM) break;
  }
  if (k == i || (c[2 * k] == lon0 && c[2 * k + 1] == lat0)) return 0;
  return step > 0 ? bearingDegrees(lon0, lat0, c[2 * k], c[2 * k + 1]) : bearingDegrees(c[2 * k], c[2 * k + 1], lon0, lat0);
}

RouteStep stepAt(const RoadMap& road, const Junction& j, ManeuverType type, Modifier mod, const RoutePiece& first) {
  RouteStep s;
  s.type = type;
  s.modifier = mod;
  s.lon = toDegrees(road.node_lon[j.node]);
  s.lat = toDegrees(road.node_lat[j.node]);
  s.bearing_before = roundBearing(j.bearing_before);
  s.bearing_after = roundBearing(j.bearing_after);
  s.name = road.edge_name[first.edge];
  s.ref = road.edge_ref[first.edge];
  s.ferry = isFerry(road, first);
  s.geometry_begin = s.geometry_end = first.geometry_begin;
  s.intersections.push_back(intersectionOf(road, j));
  return s;
}

void addPiece(RouteStep& s, const RoutePiece& p) {
  s.duration_s += p.duration_s;
  s.distance_m += p.distance_m;
  s.geometry_end = p.geometry_end;
}

}  // namespace

std::vector<RouteStep> buildSteps(const LoadedMap& map, const std::vector<const RouteLegResult*>& legs, const std::vector<double>& coordinates,
                                  double destination_lon, double destination_lat) {
  const RoadMap& road = map.road;
  std::vector<RoutePiece> pieces;
  // Pieces where the route turns back at a via point: a U-turn step before them.
  std::vector<uint8_t> turns_back;
  for (const RouteLegResult* leg : legs) {
    bool leg_start = !pieces.empty();
    // Pieces of zero length are roads the route only touches at its ends: no maneuver there.
    for (const auto& p : leg->pieces) {
      if (!(p.f1 > p.f0)) continue;
      if (leg_start && pieces.back().edge == p.edge) {
        const RoutePiece& a = pieces.back();
        if (a.dir == p.dir && std::abs(a.f1 - p.f0) < 1e-9) {
          // Passing a via point along the same road: one piece.
          pieces.back().f1 = p.f1;
          pieces.back().duration_s += p.duration_s;
          pieces.back().distance_m += p.distance_m;
          pieces.back().geometry_end = p.geometry_end;
          leg_start = false;
          continue;
        }
        if (a.dir != p.dir && std::abs(1.0 - a.f1 - p.f0) < 1e-9) {
          pieces.push_back(p);
          turns_back.push_back(1);
          leg_start = false;
          continue;
        }
      }
      leg_start = false;
      pieces.push_back(p);
      turns_back.push_back(0);
    }
  }
  if (pieces.empty()) {
    for (const RouteLegResult* leg : legs)
      if (!leg->pieces.empty()) {
        pieces.push_back(leg->pieces.front());
        turns_back.push_back(0);
        break;
      }
  }
  std::vector<RouteStep> steps;
  if (pieces.empty() || coordinates.empty()) return steps;
  const uint32_t leg_first = pieces.front().geometry_begin, leg_last = pieces.back().geometry_end;

  RouteStep depart;
  depart.type = ManeuverType::kDepart;
  depart.lon = coordinates[2 * leg_first];
  depart.lat = coordinates[2 * leg_first + 1];
  depart.bearing_after = roundBearing(bearingAlong(coordinates, leg_first, leg_last, +1));
  depart.name = road.edge_name[pieces[0].edge];
  depart.ref = road.edge_ref[pieces[0].edge];
  depart.ferry = isFerry(road, pieces[0]);
  depart.geometry_begin = depart.geometry_end = leg_first;
  depart.intersections.push_back({depart.lon, depart.lat, {depart.bearing_after}, {1}, -1, 0});
  addPiece(depart, pieces[0]);
  steps.push_back(std::move(depart));

  const size_t n = pieces.size();
  size_t j = 1;
  while (j < n) {
    const RoutePiece& a = pieces[j - 1];
    const RoutePiece& b = pieces[j];
    if (turns_back[j]) {
      // Turning round partway along a road (at a via point): a U-turn there, no junction.
      RouteStep s;
      s.type = ManeuverType::kContinue;
      s.modifier = Modifier::kUTurn;
      s.lon = coordinates[2 * b.geometry_begin];
      s.lat = coordinates[2 * b.geometry_begin + 1];
      const double before = bearingAlong(coordinates, b.geometry_begin, a.geometry_begin, -1);
      const double after = bearingAlong(coordinates, b.geometry_begin, b.geometry_end, +1);
      s.bearing_before = roundBearing(before);
      s.bearing_after = roundBearing(after);
      s.name = road.edge_name[b.edge];
      s.ref = road.edge_ref[b.edge];
      s.ferry = isFerry(road, b);
      s.geometry_begin = s.geometry_end = b.geometry_begin;
      s.intersections.push_back({s.lon, s.lat, {s.bearing_after}, {1}, 0, 0});
      addPiece(s, b);
      steps.push_back(std::move(s));
      ++j;
      continue;
    }
    const Junction x = junctionBetween(road, a, b);
    if (!isRoundabout(road, a) && isRoundabout(road, b)) {
      // One step for the whole ring, counting the exits passed; then the exit.
      size_t k = j;
      while (k < n && isRoundabout(road, pieces[k])) ++k;
      const bool rotary = ringLength(road, x.node) > kRotaryMinRingM;
      RouteStep ring = stepAt(road, x, rotary ? ManeuverType::kRotary : ManeuverType::kRoundabout, Modifier::kStraight, b);
      uint32_t passed = 0;
      addPiece(ring, pieces[j]);
      for (size_t m = j; m + 1 < k; ++m) {
        const Junction y = junctionBetween(road, pieces[m], pieces[m + 1]);
        bool exit_here = false;
        for (size_t i = 0; i < y.roads.size(); ++i)
          exit_here = exit_here || (y.roads[i].enterable && int(i) != y.in && !(road.edge_flags[y.roads[i].edge] & kFlagRoundabout));
        if (exit_here) {
          ++passed;
          ring.intersections.push_back(intersectionOf(road, y));
        }
        addPiece(ring, pieces[m + 1]);
      }
      if (k == n) {
        ring.modifier = modifierOf(turnAngle(x.bearing_before, x.bearing_after));
        steps.push_back(std::move(ring));
        j = k;
        continue;
      }
      const Junction out = junctionBetween(road, pieces[k - 1], pieces[k]);
      ring.exit = passed + 1;
      Modifier overall = modifierOf(turnAngle(x.bearing_before, out.bearing_after));
      ring.modifier = overall;
      ring.name = road.edge_name[pieces[k].edge];
      ring.ref = road.edge_ref[pieces[k].edge];
      steps.push_back(std::move(ring));
      RouteStep exit_step = stepAt(road, out, rotary ? ManeuverType::kExitRotary : ManeuverType::kExitRoundabout, overall, pieces[k]);
      exit_step.exit = passed + 1;
      addPiece(exit_step, pieces[k]);
      steps.push_back(std::move(exit_step));
      j = k + 1;
      continue;
    }
    if (const auto d = classify(road, a, b, x)) {
      RouteStep s = stepAt(road, x, d->type, d->modifier, b);
      addPiece(s, b);
      steps.push_back(std::move(s));
    } else {
      RouteStep& s = steps.back();
      if (x.roads.size() >= 3) s.intersections.push_back(intersectionOf(road, x));
      addPiece(s, b);
    }
    ++j;
  }

  RouteStep arrive;
  arrive.type = ManeuverType::kArrive;
  arrive.lon = coordinates[2 * leg_last];
  arrive.lat = coordinates[2 * leg_last + 1];
  const double before = bearingAlong(coordinates, leg_last, leg_first, -1);
  arrive.bearing_before = roundBearing(before);
  // The side of the road the destination lies on, as seen driving in.
  if (haversineMeters(arrive.lon, arrive.lat, destination_lon, destination_lat) >= 1.0) {
    // Measured against the road right at the arrival (its last piece of geometry), not 10 m back.
    uint32_t k = leg_last;
    while (k > leg_first && coordinates[2 * k] == arrive.lon && coordinates[2 * k + 1] == arrive.lat) --k;
    const double road = k == leg_last ? before : bearingDegrees(coordinates[2 * k], coordinates[2 * k + 1], arrive.lon, arrive.lat);
    const double side = turnAngle(road, bearingDegrees(arrive.lon, arrive.lat, destination_lon, destination_lat));
    arrive.modifier = side > 20 && side < 160 ? Modifier::kRight : side > 200 && side < 340 ? Modifier::kLeft : Modifier::kStraight;
  } else {
    arrive.modifier = Modifier::kStraight;
  }
  arrive.name = road.edge_name[pieces.back().edge];
  arrive.ref = road.edge_ref[pieces.back().edge];
  arrive.ferry = isFerry(road, pieces.back());
  arrive.geometry_begin = arrive.geometry_end = leg_last;
  arrive.intersections.push_back({arrive.lon, arrive.lat, {roundBearing(before + 180.0)}, {1}, 0, -1});
  steps.push_back(std::move(arrive));
  return steps;
}

}  // namespace waymark
