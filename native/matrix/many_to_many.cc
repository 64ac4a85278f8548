#include "matrix/many_to_many.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <memory>
#include <unordered_map>

#include "ch/upward_search.h"
#include "common/parallel.h"
#include "matrix/hilbert_order.h"
#include "matrix/matrix_endpoints.h"
#include "matrix/rphast.h"

namespace waymark {

namespace {

struct BucketEntry {
  uint32_t target;  // index within the block
  uint32_t ms;      // backward distance: >= 0
  int64_t cm;
};

}  // namespace

ManyToManyStats bucketManyToMany(const LoadedMap& map, const std::vector<SnapResult>& sources, const std::vector<SnapResult>& targets,
                                 const ManyToManyOptions& options, const RowSink& sink) {
  const unsigned threads = options.threads ? options.threads : defaultThreadCount();
  // Per-thread settled counts, a cache line each so the counting threads do not contend.
  struct alignas(64) Counts {
    uint64_t backward = 0, forward = 0;
  };
  std::vector<Counts> counts(threads);
  ManyToManyStats stats;
  stats.threads = threads;
  stats.method = MatrixMethod::kBuckets;
  const EdgeBasedView& eb = map.eb;
  const uint32_t n = map.ch.nodeCount();
  const uint32_t S = static_cast<uint32_t>(sources.size()), T = static_cast<uint32_t>(targets.size());
  const MatrixEndpoints ends = matrixEndpoints(eb, sources, targets);
  const auto& target_positions = ends.target_positions;
  const auto& source_seeds = ends.source_seeds;

  std::vector<ScratchPool<UpwardSearch>::Lease> searches;
  for (unsigned t = 0; t < threads; ++t) searches.push_back(map.upward_searches.acquire());

  // Blocks of targets sized so their buckets stay within max_bucket_entries (estimated from a
  // sample of backward search spaces).
  uint32_t block = T;
  if (T > 0) {
    uint64_t sample_entries = 0;
    const uint32_t sample = std::min<uint32_t>(T, 32);
    for (uint32_t t = 0; t < sample; ++t) {
      std::vector<SearchEndpoint> seeds;
      for (const auto& q : target_positions[t]) seeds.push_back(asTarget(eb, q));
      searches[0]->run(map.ch, false, seeds, [&](uint32_t, int64_t, int64_t) { ++sample_entries; });
    }
    const double per_target = std::max(1.0, double(sample_entries) / sample) * 1.5;
    block = static_cast<uint32_t>(std::clamp(double(options.max_bucket_entries) / per_target, 1.0, double(T)));
  }

  // Searches in Hilbert order of their points (within a block for the targets): consecutive searches
  // on a thread share most of their search spaces in cache.
  const std::vector<uint32_t> source_order = hilbertOrder(sources);
  std::vector<uint32_t> target_rank(T);
  {
    const std::vector<uint32_t> target_order = hilbertOrder(targets);
    for (uint32_t k = 0; k < T; ++k) target_rank[target_order[k]] = k;
  }
  std::vector<uint32_t> bucket_first;
  std::vector<BucketEntry> bucket;
  std::vector<uint32_t> block_order;
  for (uint32_t begin = 0; begin < T; begin += block) {
    const uint32_t count = std::min(block, T - begin);
    ++stats.blocks;
    block_order.resize(count);
    for (uint32_t i = 0; i < count; ++i) block_order[i] = i;
    std::sort(block_order.begin(), block_order.end(), [&](uint32_t a, uint32_t b) { return target_rank[begin + a] < target_rank[begin + b]; });
    // 1. Backward searches, in parallel, into per-thread entry lists.
    std::vector<std::vector<std::pair<uint32_t, BucketEntry>>> found(threads);
    parallelFor(count, threads, [&](uint64_t k, unsigned th) {
      const uint32_t i = block_order[k];
      const uint32_t t = begin + i;
      std::vector<SearchEndpoint> seeds;
      for (const auto& q : target_positions[t]) seeds.push_back(asTarget(eb, q));
      searches[th]->run(map.ch, false, seeds, [&](uint32_t node, int64_t d, int64_t cm) {
        ++counts[th].backward;
        found[th].push_back({node, {static_cast<uint32_t>(i), static_cast<uint32_t>(std::min<int64_t>(d, UINT32_MAX)), cm}});
      });
    }, 16);
    // 2. Buckets as CSR by node (counting sort).
    bucket_first.assign(n + 1, 0);
    size_t total = 0;
    for (const auto& list : found) {
      total += list.size();
      for (const auto& [node, e] : list) ++bucket_first[node + 1];
    }
    for (uint32_t v = 0; v < n; ++v) bucket_first[v + 1] += bucket_first[v];
    bucket.resize(total);
    {
      std::vector<uint32_t> fill(bucket_first.begin(), bucket_first.end() - 1);
      for (auto& list : found) {
        for (const auto& [node, e] : list) bucket[fill[node]++] = e;
        std::vector<std::pair<uint32_t, BucketEntry>>().swap(list);
      }
    }
    // 3. Forward searches, in parallel: each source fills its own row.
    parallelFor(S, threads, [&](uint64_t k, unsigned th) {
      const uint32_t s = source_order[k];
      thread_local std::vector<int64_t> row_ms, row_cm;
      row_ms.assign(count, kUnreachable);
      row_cm.assign(count, 0);
      ends.directSameSegment(eb, static_cast<uint32_t>(s), begin, count, row_ms.data(), row_cm.data());
      searches[th]->run(map.ch, true, source_seeds[s], [&](uint32_t node, int64_t d, int64_t cm) {
        ++counts[th].forward;
        for (uint32_t i = bucket_first[node]; i < bucket_first[node + 1]; ++i) {
          const BucketEntry& e = bucket[i];
          const int64_t total_ms = d + e.ms;
          if (total_ms < 0) continue;
          if (total_ms < row_ms[e.target]) {
            row_ms[e.target] = total_ms;
            row_cm[e.target] = cm + e.cm;
          }
        }
      });
      sink(static_cast<uint32_t>(s), begin, count, row_ms.data(), row_cm.data());
    }, 4);
  }
  for (const Counts& c : counts) {
    stats.settled_backward += c.backward;
    stats.settled_forward += c.forward;
  }
  return stats;
}

namespace {

double threadCpuNs() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) * 1e9 + double(t.tv_nsec);
}

// The cost model's unit costs (ns, one thread), fitted to `waymark bench compare` on malta and
// region64 (1 thread, search only): a bucket entry scanned, a selection arc or node swept for a batch
// of 16 sources per vector (kNsPerSweptUnit + kNsPerSweptUnitVector per vector: a wider batch costs
// more per arc, less per source), a matrix cell transposed from lanes into rows and a node of the map
// (the buckets' per-block CSR). A settled node's cost is not a constant (≈250 ns on malta, over 1 µs on region64,
// whose labels and arcs do not stay in cache): the sampled searches are timed.
constexpr double kNsPerBucketEntry = 1.2;
constexpr double kNsPerSweptUnit = 2.0;
constexpr double kNsPerSweptUnitVector = 1.7;
constexpr double kNsPerLaneCell = 5.0;
constexpr double kNsPerMapNode = 3;
// Sampled searches: enough to time them steadily, few next to the request's own.
constexpr uint32_t kSampleTargets = 32;
constexpr uint32_t kSampleSources = 16;

// keep: receives the endpoints and selection built here when RPHAST can sweep them as they are
// (a single block of targets).
MatrixCostEstimate estimateMatrixCost(const LoadedMap& map, const std::vector<SnapResult>& sources, const std::vector<SnapResult>& targets,
                                      unsigned threads, std::unique_ptr<RphastTargets>* keep) {
  MatrixCostEstimate e;
  const EdgeBasedView& eb = map.eb;
  const CHGraph& ch = map.ch;
  const size_t S = sources.size(), T = targets.size();
  // RPHAST takes targets in blocks of kRphastTargetBlock, each with its own selection: the first
  // block's stands for every block.
  const size_t block = std::min(T, kRphastTargetBlock);
  std::unique_ptr<RphastTargets> prepared =
      prepareRphastTargets(map, sources, block == T ? targets : std::vector<SnapResult>(targets.begin(), targets.begin() + block));
  const MatrixEndpoints& ends = prepared->ends;
  e.selection_nodes = prepared->sel.size();
  e.selection_arcs = prepared->sel.arc.size();
  // Bucket entries of sampled targets by node, then what sampled sources' searches meet of them.
  auto search = map.upward_searches.acquire();
  std::unordered_map<uint32_t, uint32_t> entries;
  const uint32_t bt = static_cast<uint32_t>(std::clamp<size_t>(block / 4, std::min<size_t>(block, 4), kSampleTargets));
  uint64_t backward = 0;
  for (uint32_t k = 0; k < bt; ++k) {
    const size_t t = k * block / bt;
    std::vector<SearchEndpoint> seeds;
    for (const auto& q : ends.target_positions[t]) seeds.push_back(asTarget(eb, q));
    search->run(ch, false, seeds, [&](uint32_t node, int64_t, int64_t) {
      ++backward;
      ++entries[node];
    });
  }
  const uint32_t fs = static_cast<uint32_t>(std::clamp<size_t>(S / 4, std::min<size_t>(S, 4), kSampleSources));
  uint64_t scanned = 0;
  for (uint32_t k = 0; k < fs; ++k) {
    const size_t s = k * S / fs;
    search->run(ch, true, ends.source_seeds[s], [&](uint32_t node, int64_t, int64_t) {
      if (auto it = entries.find(node); it != entries.end()) scanned += it->second;
    });
  }
  // The time per settled node as the request's backward searches will see it: bt consecutive
  // targets in the Hilbert order they run in, which share cache as the real run's do.
  {
    const std::vector<uint32_t> order = hilbertOrder(std::vector<SnapResult>(targets.begin(), targets.begin() + block));
    const uint64_t settled0 = search->settled();
    const double cpu0 = threadCpuNs();
    for (uint32_t k = 0; k < bt; ++k) {
      const uint32_t t = order[(block - bt) / 2 + k];
      std::vector<SearchEndpoint> seeds;
      for (const auto& q : ends.target_positions[t]) seeds.push_back(asTarget(eb, q));
      search->run(ch, false, seeds, [&](uint32_t, int64_t, int64_t) {});
    }
    const uint64_t sampled = search->settled() - settled0;
    e.ns_per_settled = std::clamp((threadCpuNs() - cpu0) / double(std::max<uint64_t>(sampled, 1)), 20.0, 1e5);
  }
  e.backward_settled_per_target = bt ? double(backward) / bt : 0;
  e.bucket_scan_per_source = fs && bt ? double(scanned) / fs * double(T) / bt : 0;
  // Buckets: a backward search per target, the scans, a CSR over the map's nodes per block.
  e.buckets_ms = (double(T) * e.backward_settled_per_target * e.ns_per_settled + double(S) * e.bucket_scan_per_source * kNsPerBucketEntry +
                  double(ch.nodeCount()) * kNsPerMapNode) /
                 1e6;
  // RPHAST: a sweep over the selection per batch of sources (and target block), the lanes into rows.
  const uint32_t vectors = rphastSweepVectors(S, threads);
  const double batches = std::ceil(double(S) / (vectors * kLanesPerVector)), blocks = std::ceil(double(T) / double(kRphastTargetBlock));
  e.rphast_ms = (batches * blocks * double(e.selection_arcs + e.selection_nodes) * (kNsPerSweptUnit + kNsPerSweptUnitVector * vectors) +
                 double(S) * double(T) * kNsPerLaneCell) /
                1e6;
  if (keep && block == T) *keep = std::move(prepared);
  return e;
}

MatrixMethod chooseMethod(const LoadedMap& map, const std::vector<SnapResult>& sources, const std::vector<SnapResult>& targets, unsigned threads,
                          MatrixCostEstimate* estimate, std::unique_ptr<RphastTargets>* keep) {
  if (sources.size() < kRphastMinSources || targets.size() < kRphastMinTargets) return MatrixMethod::kBuckets;
  const MatrixCostEstimate e = estimateMatrixCost(map, sources, targets, threads ? threads : defaultThreadCount(), keep);
  if (estimate) *estimate = e;
  return e.rphast_ms < e.buckets_ms ? MatrixMethod::kRphast : MatrixMethod::kBuckets;
}

}  // namespace

MatrixMethod chooseMatrixMethod(const LoadedMap& map, const std::vector<SnapResult>& sources, const std::vector<SnapResult>& targets,
                                unsigned threads, MatrixCostEstimate* estimate) {
  return chooseMethod(map, sources, targets, threads, estimate, nullptr);
}

ManyToManyStats manyToMany(const LoadedMap& map, const std::vector<SnapResult>& sources, const std::vector<SnapResult>& targets,
                           const ManyToManyOptions& options, const RowSink& sink) {
  MatrixMethod method = options.method;
  MatrixCostEstimate estimate;
  const bool estimated = method == MatrixMethod::kAuto && sources.size() >= kRphastMinSources && targets.size() >= kRphastMinTargets;
  // The estimate's selection is the one RPHAST sweeps: built once.
  std::unique_ptr<RphastTargets> prepared;
  if (method == MatrixMethod::kAuto) method = chooseMethod(map, sources, targets, options.threads, &estimate, &prepared);
  if (method != MatrixMethod::kRphast) prepared.reset();
  ManyToManyStats stats = method == MatrixMethod::kRphast ? rphastManyToMany(map, sources, targets, options, sink, std::move(prepared))
                                                          : bucketManyToMany(map, sources, targets, options, sink);
  stats.estimated = estimated;
  stats.estimate = estimate;
  return stats;
}

}  // namespace waymark
