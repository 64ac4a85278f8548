#pragma once
// OSRM's maneuver vocabulary: the type of a step and the direction of its turn, named exactly as
// OSRM's API (and osrm-text-instructions) spell them.
#include <cstdint>

namespace waymark {

enum class ManeuverType : uint8_t {
  kDepart,
  kArrive,
  kTurn,
  kNewName,
  kContinue,
  kMerge,
  kOnRamp,
  kOffRamp,
  kFork,
  kEndOfRoad,
  kRoundabout,
  kExitRoundabout,
  kRotary,
  kExitRotary,
  kNotification,
};

enum class Modifier : uint8_t { kNone, kUTurn, kSharpRight, kRight, kSlightRight, kStraight, kSlightLeft, kLeft, kSharpLeft };

inline const char* maneuverTypeName(ManeuverType t) {
  switch (t) {
    case ManeuverType::kDepart: return "depart";
    case ManeuverType::kArrive: return "arrive";
    case ManeuverType::kTurn: return "turn";
    case ManeuverType::kNewName: return "new name";
    case ManeuverType::kContinue: return "continue";
    case ManeuverType::kMerge: return "merge";
    case ManeuverType::kOnRamp: return "on ramp";
    case ManeuverType::kOffRamp: return "off ramp";
    case ManeuverType::kFork: return "fork";
    case ManeuverType::kEndOfRoad: return "end of road";
    case ManeuverType::kRoundabout: return "roundabout";
    case ManeuverType::kExitRoundabout: return "exit roundabout";
    case ManeuverType::kRotary: return "rotary";
    case ManeuverType::kExitRotary: return "exit rotary";
    case ManeuverType::kNotification: return "notification";
  }
  return "turn";
}

inline const char* modifierName(Modifier m) {
  switch (m) {
    case Modifier::kNone: return "";
    case Modifier::kUTurn: return "uturn";
    case Modifier::kSharpRight: return "sharp right";
    case Modifier::kRight: return "right";
    case Modifier::kSlightRight: return "slight right";
    case Modifier::kStraight: return "straight";
    case Modifier::kSlightLeft: return "slight left";
    case Modifier::kLeft: return "left";
    case Modifier::kSharpLeft: return "sharp left";
  }
  return "";
}

// Turn angle: how far the new heading is clockwise from the old one, in [0, 360) (0 = straight on,
// 90 = right, 270 = left).
inline double turnAngle(double bearing_before, double bearing_after) {
  double a = bearing_after - bearing_before;
  while (a < 0) a += 360;
  while (a >= 360) a -= 360;
  return a;
}

// Thresholds (degrees of turn angle): straight within 20 of straight on, slight to 60, plain to 140,
// sharp to 170, U-turn within 10 of turning back.
inline Modifier modifierOf(double angle) {
  if (angle <= 20 || angle >= 340) return Modifier::kStraight;
  if (angle <= 60) return Modifier::kSlightRight;
  if (angle <= 140) return Modifier::kRight;
  if (angle < 170) return Modifier::kSharpRight;
  if (angle <= 190) return Modifier::kUTurn;
  if (angle < 220) return Modifier::kSharpLeft;
  if (angle < 300) return Modifier::kLeft;
  return Modifier::kSlightLeft;
}

// Deviation from straight on in degrees, [0, 180].
inline double deviationFromStraight(double angle) { return angle <= 180 ? angle : 360 - angle; }

}  // namespace waymark
