#pragma once
// The oracle: plain Dijkstra on the turn graph, no hierarchy, no shortcuts. Tests and benchmarks
// check the CH query and the matrices against it. One-to-all from a snapped point; every source
// position first leaves its segment (so returning to the same segment is a real loop), and a
// target ahead on the same segment is reached directly.
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "graph/edge_based_map.h"
#include "spatial/snap_index.h"

namespace waymark {

class ReferenceDijkstra {
 public:
  explicit ReferenceDijkstra(uint32_t segment_count);
  void run(const EdgeBasedView& eb, const SnapResult& from);
  // (duration ms, distance cm) to a snapped point, after run(); nullopt when unreachable.
  std::optional<std::pair<int64_t, int64_t>> costTo(const EdgeBasedView& eb, const SnapResult& to) const;
  uint64_t settled() const { return settled_; }

 private:
  std::vector<int64_t> dist_, cm_;
  SnapResult from_;
  uint64_t settled_ = 0;
};

}  // namespace waymark
