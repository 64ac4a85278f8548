#include "phast/reached_samples.h"

#include <algorithm>
#include <cmath>

#include "common/geo.h"
#include "route/route.h"

namespace waymark {

std::vector<CostedPoint> sampleReachedPieces(const LoadedMap& map, const std::vector<ReachedPiece>& pieces, double step_m,
                                             const std::vector<double>& limits) {
  // Every point with its metre-sized grid spot; sorted by spot afterwards, the cheapest per spot kept.
  struct Keyed {
    uint64_t key;
    CostedPoint point;
  };
  std::vector<Keyed> all;
  const double grid_deg = 1.0 / 111'320.0;  // merges the two directions' copies of a point, never two distinct points
  auto offer = [&](double lon, double lat, double cost) {
    const uint64_t key = (uint64_t(int64_t(std::floor(lat / grid_deg)) + (1ll << 30)) << 32) | uint32_t(int64_t(std::floor(lon / grid_deg)) + (1ll << 30));
    all.push_back({key, {lon, lat, cost}});
  };
  std::vector<double> line, cum;
  for (const ReachedPiece& piece : pieces) {
    const uint32_t edge_dir = map.eb.segment_edge_dir[piece.segment];
    line.clear();
    appendEdgeGeometry(map.road, edge_dir / 2, edge_dir % 2, piece.from, piece.to, line);
    const size_t k = line.size() / 2;
    cum.assign(k, 0.0);
    for (size_t i = 1; i < k; ++i) cum[i] = cum[i - 1] + haversineMeters(line[2 * i - 2], line[2 * i - 1], line[2 * i], line[2 * i + 1]);
    const double total = k > 0 ? cum[k - 1] : 0;
    // Cost is linear in the distance walked along the piece.
    auto cost_at = [&](double walked) { return total > 0 ? piece.cost_from + (piece.cost_to - piece.cost_from) * walked / total : piece.cost_from; };
    if (k > 0) offer(line[0], line[1], cost_at(0));
    const double lo = std::min(piece.cost_from, piece.cost_to), hi = std::max(piece.cost_from, piece.cost_to);
    for (double limit : limits) {
      if (!(limit > lo && limit < hi) || total <= 0) continue;
      const double walked = (limit - piece.cost_from) / (piece.cost_to - piece.cost_from) * total;
      size_t i = 1;
      while (i + 1 < k && cum[i] < walked) ++i;
      const double span = cum[i] - cum[i - 1];
      const double t = span > 0 ? (walked - cum[i - 1]) / span : 0;
      offer(line[2 * i - 2] + t * (line[2 * i] - line[2 * i - 2]), line[2 * i - 1] + t * (line[2 * i + 1] - line[2 * i - 1]), limit);
    }
    for (size_t i = 1; i < k; ++i) {
      const double len = cum[i] - cum[i - 1];
      const int n = std::max(1, int(std::ceil(len / step_m)));
      for (int j = 1; j <= n; ++j) {
        const double t = double(j) / n;
        offer(line[2 * i - 2] + t * (line[2 * i] - line[2 * i - 2]), line[2 * i - 1] + t * (line[2 * i + 1] - line[2 * i - 1]), cost_at(cum[i - 1] + t * len));
      }
    }
  }
  std::sort(all.begin(), all.end(), [](const Keyed& a, const Keyed& b) { return a.key < b.key || (a.key == b.key && a.point.cost < b.point.cost); });
  std::vector<CostedPoint> out;
  for (size_t i = 0; i < all.size(); ++i)
    if (i == 0 || all[i].key != all[i - 1].key) out.push_back(all[i].point);
  return out;
}

}  // namespace waymark
