#pragma once
// Route distances between the states of two consecutive GPS points, for the HMM's transitions:
// one small bucket many-to-many on the contraction hierarchy per step (backward upward searches
// from the targets fill buckets, forward ones from the sources scan them), every search bounded by
// the largest duration a plausible transition may take. Exact for paths within the bound.
#include <cstdint>
#include <span>
#include <vector>

#include "ch/upward_search.h"
#include "pipeline/loaded_map.h"
#include "route/endpoints.h"

namespace waymark {

constexpr int64_t kNoTransition = INT64_MAX;

struct TransitionCosts {
  uint32_t sources = 0, targets = 0;
  std::vector<int64_t> ms, cm;  // sources x targets, row-major; ms = kNoTransition when out of reach
};

class TransitionRouter {
 public:
  explicit TransitionRouter(uint32_t node_count) : search_(node_count) {}
  // Fastest paths from each source position to each target position costing at most bound_ms. A
  // target on the source's own segment up to backward_tolerance_cm[source] behind it counts as
  // reached at cost 0: a standing vehicle whose GPS fixes jitter backwards has not driven round the
  // block. Sources on kNoSegment are skipped (no transition).
  void run(const LoadedMap& map, std::span<const SegmentPosition> sources, std::span<const SegmentPosition> targets,
           int64_t bound_ms, std::span<const int64_t> backward_tolerance_cm, TransitionCosts& out);
  uint64_t settled() const { return search_.settled(); }

 private:
  struct BucketEntry {
    uint32_t node;
    uint32_t target;
    int64_t ms;
    int64_t cm;
  };
  UpwardSearch search_;
  std::vector<BucketEntry> bucket_;
  std::vector<SearchEndpoint> seeds_;
};

}  // namespace waymark
