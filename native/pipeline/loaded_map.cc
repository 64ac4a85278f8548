#include "pipeline/loaded_map.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>

#include "metric/metric.h"

namespace waymark {

LoadedMap::LoadedMap(std::shared_ptr<const MappedMap> f)
    : file(std::move(f)),
      road(*file),
      eb(*file, road.edgeCount()),
      ch(*file),
      cch(*file, eb),
      snap(*file, road),
      queries(ch.nodeCount()),
      upward_searches(ch.nodeCount()),
      phasts(ch.nodeCount()),
      travel_segment_ms(eb.segment_duration),
      travel_turn_ms(eb.turn_weight) {
  if (ch.nodeCount() != eb.segmentCount()) throw Error("MapCorrupt", file->path() + ": hierarchy and segment counts differ");
  if (file->has("driving_side")) {
    const auto side = file->section<uint8_t>("driving_side");
    if (side.size() != 1 || side[0] > 1) throw Error("MapCorrupt", file->path() + ": driving_side must be one byte, 0 or 1");
    left_hand_traffic = side[0] == 1;
  }
  markSnappableEdges();
}

void LoadedMap::markSnappableEdges() {
  snappable_edge.assign((size_t(road.edgeCount()) + 63) / 64, 0);
  for (uint32_t e = 0; e < road.edgeCount(); ++e)
    if (eb.snappable(eb.segment(e, 0)) || eb.snappable(eb.segment(e, 1))) snappable_edge[e >> 6] |= uint64_t(1) << (e & 63);
}

LoadedMap::LoadedMap(const LoadedMap& base, std::shared_ptr<const MetricData> m, bool travel_distance)
    : file(base.file),
      road(base.road),
      eb(base.eb),
      ch(m->ch),
      cch(base.cch),
      snap(base.snap),
      queries(base.eb.segmentCount()),
      upward_searches(base.eb.segmentCount()),
      phasts(base.eb.segmentCount()),
      left_hand_traffic(base.left_hand_traffic),
      travel_segment_ms(m->weights.segment_travel_ms),
      travel_turn_ms(m->weights.turn_travel_ms),
      weight_is_travel_time(m->weights.weight_is_travel_time),
      metric(m) {
  eb.segment_duration = m->weights.segment_weight;
  eb.turn_weight = m->weights.turn_weight;
  eb.segment_flags = m->weights.segment_flags;
  if (travel_distance) {
    eb.segment_length_cm = m->weights.segment_travel_ms;
    ch.up_distance = m->up_travel_ms;
    ch.down_distance = m->down_travel_ms;
  } else if (!weight_is_travel_time) {
    travel_channel = std::make_shared<const LoadedMap>(base, m, true);
  }
  markSnappableEdges();
}

void LoadedMap::prefetchSnaps(const double* coords, size_t count) const {
  for (int stage : {0, 1})
    for (size_t i = 0; i < count; ++i) snap.prefetch(coords[2 * i], coords[2 * i + 1], stage);
}

SnapResult LoadedMap::snapPoint(double lon, double lat, double radius_m, bool allow_isolated) const {
  SnapResult r = snap.snapToRoad(road, lon, lat, radius_m, [&](uint32_t e) {
    // Asked only of a candidate that would become the best: every caller goes on to the point's
    // segments, so start loading which they are while the snap finishes (its polyline, its
    // fraction) rather than after.
    __builtin_prefetch(eb.edge_segment.data() + 2 * size_t(e));
    if (allow_isolated) return true;
    return ((snappable_edge[e >> 6] >> (e & 63)) & 1) != 0;
  });
  r.allow_isolated = allow_isolated;
  if (!r.found && !allow_isolated && metric) {
    // OSRM's rule for small components: the largest one first; a pocket of the metric (reached only
    // over roads it closes) only when nothing of the largest lies within the radius.
    auto small = [&](uint32_t s) { return s != kNoSegment && (eb.segment_flags[s] & kSegmentInSmallComponent); };
    r = snap.snapToRoad(road, lon, lat, radius_m, [&](uint32_t e) { return small(eb.segment(e, 0)) || small(eb.segment(e, 1)); });
    r.small_component = r.found;
  }
  return r;
}

namespace {
std::mutex cache_mutex;
std::map<std::string, std::weak_ptr<const LoadedMap>> cache;  // by device:inode:size:mtime
}  // namespace

std::shared_ptr<const LoadedMap> LoadedMap::openVersion(const std::string& path, uint64_t checksum) {
  {
    std::lock_guard<std::mutex> lock(cache_mutex);
    for (const auto& [key, weak] : cache)
      if (auto m = weak.lock(); m && m->file->path() == path && m->file->header().checksum == checksum) return m;
  }
  auto m = openShared(path);
  if (m->file->header().checksum != checksum) throw Error("MapChanged", path + " no longer holds the requested map version");
  return m;
}

std::shared_ptr<const LoadedMap> LoadedMap::openShared(const std::string& path) {
  auto& mutex = cache_mutex;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) throw Error("MapNotFound", "cannot open map " + path + ": " + std::strerror(errno));
  const std::string key = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) +
                          ":" + std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
  std::lock_guard<std::mutex> lock(mutex);
  for (auto it = cache.begin(); it != cache.end();) it = it->second.expired() ? cache.erase(it) : std::next(it);
  if (auto it = cache.find(key); it != cache.end())
    if (auto existing = it->second.lock()) return existing;
  auto map = std::make_shared<const LoadedMap>(MappedMap::open(path));
  cache[key] = map;
  return map;
}

}  // namespace waymark
