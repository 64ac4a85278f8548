#include "matrix/hilbert_order.h"

#include <algorithm>
#include <utility>

namespace waymark {

namespace {

// Position of (x, y) in [0, 2^16)^2 along a Hilbert curve.
uint32_t hilbertIndex(uint32_t x, uint32_t y) {
  uint32_t d = 0;
  for (uint32_t s = 1u << 15; s > 0; s /= 2) {
    const uint32_t rx = (x & s) ? 1 : 0, ry = (y & s) ? 1 : 0;
    d += s * s * ((3 * rx) ^ ry);
    if (ry == 0) {
      if (rx == 1) {
        x = s - 1 - x;
        y = s - 1 - y;
      }
      std::swap(x, y);
    }
  }
  return d;
}

}  // namespace

std::vector<uint32_t> hilbertOrder(const std::vector<SnapResult>& points) {
  double lon0 = 180, lon1 = -180, lat0 = 90, lat1 = -90;
  for (const SnapResult& p : points) {
    lon0 = std::min(lon0, p.lon), lon1 = std::max(lon1, p.lon);
    lat0 = std::min(lat0, p.lat), lat1 = std::max(lat1, p.lat);
  }
  const double kx = lon1 > lon0 ? 65535.0 / (lon1 - lon0) : 0, ky = lat1 > lat0 ? 65535.0 / (lat1 - lat0) : 0;
  std::vector<std::pair<uint32_t, uint32_t>> keyed(points.size());
  for (uint32_t i = 0; i < points.size(); ++i) {
    const double x = std::clamp((points[i].lon - lon0) * kx, 0.0, 65535.0), y = std::clamp((points[i].lat - lat0) * ky, 0.0, 65535.0);
    keyed[i] = {hilbertIndex(static_cast<uint32_t>(x), static_cast<uint32_t>(y)), i};
  }
  std::sort(keyed.begin(), keyed.end());
  std::vector<uint32_t> order(points.size());
  for (uint32_t i = 0; i < points.size(); ++i) order[i] = keyed[i].second;
  return order;
}

}  // namespace waymark
