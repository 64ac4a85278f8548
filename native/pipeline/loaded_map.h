#pragma once
// A map file opened for queries: the mapping plus typed views of its parts. Immutable once loaded,
// so any number of threads may query it at once; each query borrows its own scratch space from the
// map's pool (handed back when the query ends).
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cch/cch_topology.h"
#include "ch/ch_graph.h"
#include "ch/ch_query.h"
#include "ch/upward_search.h"
#include "graph/edge_based_map.h"
#include "graph/map_file.h"
#include "graph/road_map.h"
#include "phast/phast.h"
#include "spatial/snap_index.h"

namespace waymark {

// Per-thread query scratch (labels sized to the graph), reused across queries: a query leases one
// and hands it back when the lease ends.
template <typename Scratch>
class ScratchPool {
 public:
  explicit ScratchPool(uint32_t node_count) : node_count_(node_count) {}
  class Lease {
   public:
    Lease(ScratchPool& pool, std::unique_ptr<Scratch> s) : pool_(&pool), scratch_(std::move(s)) {}
    Lease(Lease&& other) noexcept = default;
    ~Lease() {
      if (scratch_) pool_->release(std::move(scratch_));
    }
    Scratch& operator*() { return *scratch_; }
    Scratch* operator->() { return scratch_.get(); }

   private:
    ScratchPool* pool_;
    std::unique_ptr<Scratch> scratch_;
  };
  Lease acquire() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!free_.empty()) {
        auto s = std::move(free_.back());
        free_.pop_back();
        return Lease(*this, std::move(s));
      }
    }
    return Lease(*this, std::make_unique<Scratch>(node_count_));
  }

 private:
  void release(std::unique_ptr<Scratch> s) {
    std::lock_guard<std::mutex> lock(mutex_);
    free_.push_back(std::move(s));
  }
  uint32_t node_count_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Scratch>> free_;
};

struct MetricData;

struct LoadedMap {
  std::shared_ptr<const MappedMap> file;
  RoadMap road;
  EdgeBasedView eb;
  CHGraph ch;
  CCHTopology cch;  // metric-independent CCH (native/cch): customize it to route on another metric
  SnapIndex snap;
  mutable ScratchPool<CHQuery> queries;
  mutable ScratchPool<UpwardSearch> upward_searches;
  mutable ScratchPool<Phast> phasts;
  bool left_hand_traffic = false;  // the map's driving side (section driving_side; absent = right)
  // Real travel times, per segment and per turn arc: what answers report. The same arrays as
  // eb.segment_duration and eb.turn_weight unless a metric's weight is not travel time.
  std::span<const uint32_t> travel_segment_ms, travel_turn_ms;
  bool weight_is_travel_time = true;
  // A metric view (metric/metric.h): eb's weights, snappable flags and ch come from `metric`.
  std::shared_ptr<const MetricData> metric;
  // When weight is not travel time: the same view, but with travel ms as its distance channel (in
  // eb.segment_length_cm and ch's distances), so a second bucket search over the same weights
  // accumulates the travel time of the chosen paths.
  std::shared_ptr<const LoadedMap> travel_channel;

  explicit LoadedMap(std::shared_ptr<const MappedMap> f);
  // The view of a metric of `base` (its file, roads and snapping index, the metric's weights).
  // travel_distance: the travel-channel view described above.
  LoadedMap(const LoadedMap& base, std::shared_ptr<const MetricData> m, bool travel_distance = false);
  // Per road (edge), one bit: has a direction in the largest component (what snapPoint accepts by
  // default). A bit in a small array instead of two dependent look-ups (segment, flags) per
  // candidate.
  std::vector<uint64_t> snappable_edge;
  // snapToRoad on this map: roads with a direction in the largest component, or any road.
  SnapResult snapPoint(double lon, double lat, double radius_m, bool allow_isolated = false) const;
  // Before snapping a few points one after another (a route's ends): starts loading the first
  // things each snap reads, all points at once, so their cache misses overlap (SnapIndex::prefetch).
  void prefetchSnaps(const double* coords, size_t count) const;
  // One LoadedMap per file (identified by device, inode, size and mtime) per process: the worker
  // threads of a server share the mapping instead of mapping the file once each.
  static std::shared_ptr<const LoadedMap> openShared(const std::string& path);
  // The map that was at `path` with this checksum, if any thread of the process still has it open
  // (even when the file has been replaced since); otherwise the file at `path`, which must then have
  // that checksum (MapChanged if not).
  static std::shared_ptr<const LoadedMap> openVersion(const std::string& path, uint64_t checksum);

 private:
  void markSnappableEdges();
};

}  // namespace waymark
