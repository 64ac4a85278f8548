#pragma once
// Coordinates are stored as fixed-point integers (1e-7 degrees, as OSM itself does): exact, compact,
// and identical on every machine.
#include <cmath>
#include <cstdint>

namespace waymark {

constexpr double kCoordScale = 1e7;
constexpr double kEarthRadiusM = 6371008.8;

inline double toDegrees(int32_t fixed) { return fixed / kCoordScale; }
inline int32_t toFixed(double degrees) { return static_cast<int32_t>(std::llround(degrees * kCoordScale)); }

inline double haversineMeters(double lon1, double lat1, double lon2, double lat2) {
  constexpr double rad = M_PI / 180.0;
  const double dlat = (lat2 - lat1) * rad;
  const double dlon = (lon2 - lon1) * rad;
  const double a = std::sin(dlat / 2) * std::sin(dlat / 2) +
                   std::cos(lat1 * rad) * std::cos(lat2 * rad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kEarthRadiusM * std::asin(std::min(1.0, std::sqrt(a)));
}

inline double haversineMetersFixed(int32_t lon1, int32_t lat1, int32_t lon2, int32_t lat2) {
  return haversineMeters(toDegrees(lon1), toDegrees(lat1), toDegrees(lon2), toDegrees(lat2));
}

// Initial bearing from point 1 to point 2 in degrees clockwise from north, [0, 360).
inline double bearingDegrees(double lon1, double lat1, double lon2, double lat2) {
  constexpr double rad = M_PI / 180.0;
  const double y = std::sin((lon2 - lon1) * rad) * std::cos(lat2 * rad);
  const double x = std::cos(lat1 * rad) * std::sin(lat2 * rad) - std::sin(lat1 * rad) * std::cos(lat2 * rad) * std::cos((lon2 - lon1) * rad);
  const double b = std::atan2(y, x) / rad;
  return b < 0 ? b + 360.0 : b;
}

}  // namespace waymark
