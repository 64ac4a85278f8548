#pragma once
// Many-to-many matrices on the contraction hierarchy, by one of two exact methods:
// - buckets (Knopp, Sanders, Schultes, Schulz, Wagner 2007): backward upward searches from the
//   targets leave (target, distance) entries in per-node buckets; a forward upward search from each
//   source scans the buckets of the nodes it settles; the buckets most targets reached are dense
//   rows relaxed with vector code (matrix/dense_bucket.h). Targets are processed in blocks so
//   bucket memory stays bounded. Best for small requests, and large ones on big maps.
// - RPHAST (matrix/rphast.h): one linear sweep over the targets' upward closure per batch of 16,
//   32 or 64 sources. Best for large requests whose selection stays small.
// Both give distances along the time-optimal paths and run on all threads.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "pipeline/loaded_map.h"
#include "spatial/snap_index.h"

namespace waymark {

constexpr int64_t kUnreachable = INT64_MAX;

enum class MatrixMethod { kAuto, kBuckets, kRphast };

// Below this many sources or targets auto takes buckets without estimating (a sweep is shared by
// at least 16 sources: fewer cannot pay for it).
constexpr size_t kRphastMinSources = 16;
constexpr size_t kRphastMinTargets = 16;

// What decides between the methods, measured on the request before choosing (chooseMatrixMethod):
// RPHAST sweeps the targets' selection once per batch of sources, so its own work grows with the
// selection's arcs; buckets pay a backward search per target and, per source, a scan of the bucket
// entries its forward search meets (sparse entries one by one, dense rows a vector pass each). Both
// pay the sources' forward searches (left out). The selection is built (a fraction of one sweep);
// the bucket figures come from sampled searches.
struct MatrixCostEstimate {
  uint64_t selection_nodes = 0, selection_arcs = 0;
  double backward_settled_per_target = 0;  // sampled: bucket entries per target
  double bucket_scan_per_source = 0;       // sampled: sparse entries a source's forward search scans
  double dense_cells_per_source = 0;       // sampled: targets of the dense rows it relaxes
  double ns_per_settled = 0;               // CPU time of the sampled searches per node they settled
  double buckets_ms = 0, rphast_ms = 0;    // the two methods' own work by the model (one thread)
};

struct ManyToManyOptions {
  unsigned threads = 0;                     // 0 = all cores
  uint64_t max_bucket_entries = 64u << 20;  // buckets: per block of targets (8 bytes each, 16 with distances)
  MatrixMethod method = MatrixMethod::kAuto;
  bool distances = true;  // false: cm may be left 0 (RPHAST then skips them)
};

// Buckets: a node's bucket becomes a dense row (dense_bucket.h) when at least this fraction of the
// block's targets (1 / kDenseBucketFraction, and kDenseBucketMinEntries) left an entry in it.
constexpr uint32_t kDenseBucketFraction = 4;
constexpr uint32_t kDenseBucketMinEntries = 64;

// Wall and CPU time (the process's, all threads) of one phase of a call.
struct MatrixPhaseTime {
  std::string name;
  double wall_ms = 0, cpu_ms = 0;
};

// What one call did, for tracing: the method, nodes settled by the backward (target) and forward
// (source) upward searches, blocks of targets (buckets), nodes of the targets' selection and sweeps
// (RPHAST), threads used.
struct ManyToManyStats {
  MatrixMethod method = MatrixMethod::kBuckets;
  uint64_t settled_backward = 0;
  uint64_t settled_forward = 0;
  uint32_t blocks = 0;
  uint64_t dense_buckets = 0;  // buckets stored as dense rows, over all blocks
  uint64_t selected_nodes = 0;
  uint64_t sweeps = 0;
  uint32_t sweep_lanes = 0;  // sources per sweep (RPHAST)
  unsigned threads = 0;
  bool estimated = false;  // auto chose by `estimate`
  MatrixCostEstimate estimate;
  std::vector<MatrixPhaseTime> phases;  // in the order they first ran
};

// Called once per (source, block of targets) with that block's row: ms[t] and cm[t] for targets
// block_begin .. block_begin + count (kUnreachable where there is no path). Called concurrently
// from several threads, for different sources.
using RowSink = std::function<void(uint32_t source, uint32_t block_begin, uint32_t count, const int64_t* ms, const int64_t* cm)>;

// kAuto's rule: buckets for small requests, else the method the estimate finds cheaper (filled in
// when estimated). threads (0 = all cores) sets RPHAST's batch width.
MatrixMethod chooseMatrixMethod(const LoadedMap& map, const std::vector<SnapResult>& sources, const std::vector<SnapResult>& targets,
                                unsigned threads, MatrixCostEstimate* estimate);

// options.method picks the method (kAuto: chooseMatrixMethod).
ManyToManyStats manyToMany(const LoadedMap& map, const std::vector<SnapResult>& sources, const std::vector<SnapResult>& targets,
                           const ManyToManyOptions& options, const RowSink& sink);
ManyToManyStats bucketManyToMany(const LoadedMap& map, const std::vector<SnapResult>& sources, const std::vector<SnapResult>& targets,
                                 const ManyToManyOptions& options, const RowSink& sink);

}  // namespace waymark
