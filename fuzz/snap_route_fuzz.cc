// libFuzzer target: snapping and route queries on a real map (WAYMARK_FUZZ_MAP) with arbitrary
// coordinates and radii, checked the way the N-API seam checks them (finite, in range, positive
// radius) and no further: anything that passes must snap and route without faulting.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include <fuzzer/FuzzedDataProvider.h>

#include "common/error.h"
#include "pipeline/loaded_map.h"
#include "route/route.h"

namespace {
std::shared_ptr<const waymark::LoadedMap> map;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* path = std::getenv("WAYMARK_FUZZ_MAP");
  if (!path) std::abort();
  map = waymark::LoadedMap::openShared(path);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const auto& h = map->file->header();
  std::vector<waymark::SnapResult> points;
  const int count = in.ConsumeIntegralInRange<int>(1, 6);
  for (int i = 0; i < count && in.remaining_bytes() > 0; ++i) {
    // Mostly near the map (where snapping finds roads), sometimes anywhere on the globe.
    double lon, lat;
    if (in.ConsumeBool()) {
      lon = h.bbox[0] + (h.bbox[2] - h.bbox[0]) * in.ConsumeProbability<double>() * 1.2 - 0.1 * (h.bbox[2] - h.bbox[0]);
      lat = h.bbox[1] + (h.bbox[3] - h.bbox[1]) * in.ConsumeProbability<double>() * 1.2 - 0.1 * (h.bbox[3] - h.bbox[1]);
    } else {
      lon = in.ConsumeFloatingPoint<double>();
      lat = in.ConsumeFloatingPoint<double>();
    }
    const double radius = in.ConsumeBool() ? in.ConsumeFloatingPointInRange<double>(0, 5000) : in.ConsumeFloatingPoint<double>();
    if (!std::isfinite(lon) || !std::isfinite(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90) continue;
    if (!(radius > 0) || !std::isfinite(radius)) continue;
    const waymark::SnapResult s = map->snapPoint(lon, lat, radius, in.ConsumeBool());
    if (s.found) points.push_back(s);
  }
  if (points.size() < 2) return 0;
  try {
    const waymark::RouteResult r = waymark::routeThrough(*map, points, in.ConsumeBool());
    if (r.legs.size() != points.size() - 1) std::abort();
  } catch (const waymark::Error&) {
    // NoRoute and the like are answers, not faults
  }
  return 0;
}
