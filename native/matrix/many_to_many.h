#pragma once
// Bucket-based many-to-many on the contraction hierarchy (Knopp, Sanders, Schultes, Schulz, Wagner
// 2007): backward upward searches from the targets leave (target, distance) entries in per-node
// buckets; a forward upward search from each source scans the buckets of the nodes it settles.
// Exact, with distances along the time-optimal paths. Targets are processed in blocks so bucket
// memory stays bounded; both phases run on all threads.
#include <cstdint>
#include <functional>
#include <vector>

#include "pipeline/loaded_map.h"
#include "spatial/snap_index.h"

namespace waymark {

constexpr int64_t kUnreachable = INT64_MAX;

struct ManyToManyOptions {
  unsigned threads = 0;                // 0 = all cores
  uint64_t max_bucket_entries = 64u << 20;  // per block of targets (16 bytes each)
};

// Called once per (source, block of targets) with that block's row: ms[t] and cm[t] for targets
// block_begin .. block_begin + count (kUnreachable where there is no path). Called concurrently
// from several threads, for different sources.
// What one call did, for tracing: nodes settled by the backward (target) and forward (source)
// upward searches, blocks of targets, threads used.
struct ManyToManyStats {
  uint64_t settled_backward = 0;
  uint64_t settled_forward = 0;
  uint32_t blocks = 0;
  unsigned threads = 0;
};

using RowSink = std::function<void(uint32_t source, uint32_t block_begin, uint32_t count, const int64_t* ms, const int64_t* cm)>;

ManyToManyStats manyToMany(const LoadedMap& map, const std::vector<SnapResult>& sources, const std::vector<SnapResult>& targets,
                           const ManyToManyOptions& options, const RowSink& sink);

}  // namespace waymark
