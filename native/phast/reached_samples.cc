#include "phast/reached_samples.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "common/geo.h"
#include "route/route.h"

namespace waymark {

std::vector<CostedPoint> sampleReachedPieces(const LoadedMap& map, const std::vector<ReachedPiece>& pieces, double step_m,
                                             const std::vector<double>& limits) {
  std::vector<CostedPoint> out;
  std::unordered_map<uint64_t, size_t> spot;  // grid key -> index in out
  // A 1 m grid: merges the two directions' copies of a point, never two distinct points.
  const double grid_deg = 1.0 / 111'320.0;
  auto offer = [&](double lon, double lat, double cost) {
    const uint64_t key = (uint64_t(int64_t(std::floor(lat / grid_deg)) + (1ll << 30)) << 32) | uint32_t(int64_t(std::floor(lon / grid_deg)) + (1ll << 30));
    auto [it, inserted] = spot.emplace(key, out.size());
    if (inserted) out.push_back({lon, lat, cost});
    else if (cost < out[it->second].cost) out[it->second] = {lon, lat, cost};
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
  return out;
}

}  // namespace waymark
