#include "matrix/many_to_many.h"

#include <algorithm>
#include <cmath>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <optional>
#include <unordered_map>

#include "common/error.h"
#include "common/parallel.h"
#include "matrix/clean_node_array.h"
#include "matrix/compact_upward_search.h"
#include "matrix/dense_bucket.h"
#include "matrix/hilbert_order.h"
#include "matrix/matrix_endpoints.h"
#include "matrix/rphast.h"

namespace waymark {

namespace {

// A sparse bucket's entry as the forward scan reads it (distances, when wanted, in a parallel array).
struct BucketEntry {
  uint32_t target;  // index within the block
  uint32_t ms;      // backward distance
};

// An entry as a backward search leaves it, before the buckets are built.
struct FoundEntry {
  uint32_t node;  // hierarchy node; then its slot
  uint32_t target;
  uint32_t ms;
};

double processCpuMs() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
}

// Wall and process CPU time of the phases of a call, into stats.phases.
class PhaseTimer {
 public:
  explicit PhaseTimer(std::vector<MatrixPhaseTime>& phases) : phases_(phases) {}
  template <typename F>
  void time(const char* name, F&& f) {
    const auto w0 = std::chrono::steady_clock::now();
    const double c0 = processCpuMs();
    f();
    const double cpu = processCpuMs() - c0, wall = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - w0).count();
    for (MatrixPhaseTime& p : phases_)
      if (p.name == name) {
        p.wall_ms += wall;
        p.cpu_ms += cpu;
        return;
      }
    phases_.push_back({name, wall, cpu});
  }

 private:
  std::vector<MatrixPhaseTime>& phases_;
};

// Entries from which a bucket of a block of `targets` is stored dense: kDenseBucketFraction of the
// targets, at least kDenseBucketMinEntries; WAYMARK_DENSE_BUCKET_MIN=<entries> or =off overrides
// it (for tests and benchmarks: a value it cannot read fails the matrix).
uint32_t denseBucketMinEntries(uint32_t targets) {
  if (const char* forced = std::getenv("WAYMARK_DENSE_BUCKET_MIN")) {
    const std::string v = forced;
    if (v == "off") return UINT32_MAX;
    char* end = nullptr;
    const unsigned long n = std::strtoul(forced, &end, 10);
    if (v.empty() || *end != '\0' || n < 1 || n > UINT32_MAX)
      throw Error("InvalidValue", "WAYMARK_DENSE_BUCKET_MIN must be a positive number of entries or 'off', not '" + v + "'");
    return static_cast<uint32_t>(n);
  }
  return std::max<uint32_t>(kDenseBucketMinEntries, targets / kDenseBucketFraction);
}

}  // namespace

namespace {

// given: the request's endpoints when auto's estimate built them already (else null).
ManyToManyStats buckets(const LoadedMap& map, const std::vector<SnapResult>& sources, const std::vector<SnapResult>& targets,
                        const ManyToManyOptions& options, const RowSink& sink, MatrixEndpoints* given) {
  const unsigned threads = options.threads ? options.threads : defaultThreadCount();
  const bool with_cm = options.distances;
  // Per-thread settled counts, a cache line each so the counting threads do not contend.
  struct alignas(64) Counts {
    uint64_t backward = 0, forward = 0;
  };
  std::vector<Counts> counts(threads);
  ManyToManyStats stats;
  stats.threads = threads;
  stats.method = MatrixMethod::kBuckets;
  PhaseTimer timer(stats.phases);
  const EdgeBasedView& eb = map.eb;
  const uint32_t n = map.ch.nodeCount();
  const uint32_t S = static_cast<uint32_t>(sources.size()), T = static_cast<uint32_t>(targets.size());
  MatrixEndpoints ends;
  std::vector<CompactUpwardSearch> searches(threads);
  // One search with or without distances (the template argument).
  auto search = [&](unsigned th, bool forward, std::span<const SearchEndpoint> seeds, auto&& visit) {
    if (with_cm)
      searches[th].run<true>(map.ch, forward, seeds, visit);
    else
      searches[th].run<false>(map.ch, forward, seeds, visit);
  };
  uint32_t block = T;
  std::vector<uint32_t> source_order, target_rank(T);
  timer.time("prepare", [&] {
    ends = given ? std::move(*given) : matrixEndpoints(eb, sources, targets);
    // Blocks of targets sized so their buckets stay within max_bucket_entries (estimated from a
    // sample of backward search spaces).
    if (T > 0) {
      uint64_t sample_entries = 0;
      const uint32_t sample = std::min<uint32_t>(T, 32);
      for (uint32_t t = 0; t < sample; ++t) {
        std::vector<SearchEndpoint> seeds;
        for (const auto& q : ends.target_positions[t]) seeds.push_back(asTarget(eb, q));
        searches[0].run<false>(map.ch, false, seeds, [&](uint32_t, int64_t, int64_t) { ++sample_entries; });
      }
      const double per_target = std::max(1.0, double(sample_entries) / sample) * 1.5;
      block = static_cast<uint32_t>(std::clamp(double(options.max_bucket_entries) / per_target, 1.0, double(T)));
    }
    // Searches in Hilbert order of their points (within a block for the targets): consecutive
    // searches on a thread share most of their search spaces in cache.
    source_order = hilbertOrder(sources);
    const std::vector<uint32_t> target_order = hilbertOrder(targets);
    for (uint32_t k = 0; k < T; ++k) target_rank[target_order[k]] = k;
  });
  const auto& target_positions = ends.target_positions;
  const auto& source_seeds = ends.source_seeds;

  // slot_of[hierarchy node]: the node's bucket among those of the block (kCleanNodeValue: none).
  std::unique_ptr<std::vector<uint32_t>> slot_array = borrowCleanNodeArray(n);
  uint32_t* slot_of = slot_array->data();
  std::vector<uint32_t> slot_node;  // slot -> node: what to reset
  struct ResetSlots {
    std::vector<uint32_t>& nodes;
    std::unique_ptr<std::vector<uint32_t>>& array;
    void reset() {
      for (uint32_t v : nodes) (*array)[v] = kCleanNodeValue;
      nodes.clear();
    }
    ~ResetSlots() {
      reset();
      returnCleanNodeArray(std::move(array));
    }
  } reset_slots{slot_node, slot_array};

  std::vector<uint32_t> block_order;
  std::vector<std::vector<FoundEntry>> found(threads);
  std::vector<std::vector<int64_t>> found_cm(threads);
  std::vector<uint32_t> slot_size, slot_first, slot_dense;
  std::vector<BucketEntry> bucket;
  std::vector<int64_t> bucket_cm;
  std::vector<uint32_t> dense_ms;
  std::vector<int64_t> dense_cm;
  for (uint32_t begin = 0; begin < T; begin += block) {
    const uint32_t count = std::min(block, T - begin);
    ++stats.blocks;
    block_order.resize(count);
    for (uint32_t i = 0; i < count; ++i) block_order[i] = i;
    std::sort(block_order.begin(), block_order.end(), [&](uint32_t a, uint32_t b) { return target_rank[begin + a] < target_rank[begin + b]; });
    // 1. Backward searches, in parallel, into per-thread entry lists.
    timer.time("backward", [&] {
      parallelFor(count, threads, [&](uint64_t k, unsigned th) {
        const uint32_t i = block_order[k];
        const uint32_t t = begin + i;
        std::vector<SearchEndpoint> seeds;
        for (const auto& q : target_positions[t]) seeds.push_back(asTarget(eb, q));
        search(th, false, seeds, [&](uint32_t node, int64_t d, int64_t cm) {
          ++counts[th].backward;
          // Durations past 2^32 - 2 ms (49 days) are clamped: kNoDenseEntry stays free.
          found[th].push_back({node, i, static_cast<uint32_t>(std::min<int64_t>(d, kNoDenseEntry - 1))});
          if (with_cm) found_cm[th].push_back(cm);
        });
      }, 16);
    });
    // 2. Buckets by slot: dense rows for the nodes most targets reached, CSR for the rest.
    uint32_t dense_count = 0;
    timer.time("buckets", [&] {
      reset_slots.reset();
      slot_size.clear();
      for (auto& list : found)
        for (FoundEntry& e : list) {
          uint32_t& slot = slot_of[e.node];
          if (slot == kCleanNodeValue) {
            slot = static_cast<uint32_t>(slot_node.size());
            slot_node.push_back(e.node);
            slot_size.push_back(0);
          }
          ++slot_size[slot];
          e.node = slot;
        }
      const uint32_t slots = static_cast<uint32_t>(slot_node.size());
      // A dense row costs a vector pass over the block's targets, a sparse bucket a scalar step per
      // entry (within a bound on the rows' memory): dense from a quarter of the targets on, as fast as or
      // faster than an eighth, a half or a sixteenth on region64 and malta 1000² and 5000² (1 thread).
      const uint32_t dense_min = denseBucketMinEntries(count);
      const uint64_t dense_rows_max = std::max<uint64_t>(1, options.max_bucket_entries / std::max<uint32_t>(count, 1));
      slot_dense.assign(slots, kCleanNodeValue);
      slot_first.assign(slots + 1, 0);
      for (uint32_t s = 0; s < slots; ++s) {
        if (slot_size[s] >= dense_min && dense_count < dense_rows_max) {
          slot_dense[s] = dense_count++;
        } else {
          slot_first[s + 1] = slot_size[s];
        }
      }
      for (uint32_t s = 0; s < slots; ++s) slot_first[s + 1] += slot_first[s];
      dense_ms.assign(size_t(dense_count) * count, kNoDenseEntry);
      if (with_cm) dense_cm.assign(size_t(dense_count) * count, 0);
      bucket.resize(slot_first[slots]);
      if (with_cm) bucket_cm.resize(slot_first[slots]);
      std::vector<uint32_t> fill(slot_first.begin(), slot_first.end() - 1);
      for (unsigned th = 0; th < threads; ++th) {
        for (size_t k = 0; k < found[th].size(); ++k) {
          const FoundEntry& e = found[th][k];
          if (const uint32_t d = slot_dense[e.node]; d != kCleanNodeValue) {
            dense_ms[size_t(d) * count + e.target] = e.ms;
            if (with_cm) dense_cm[size_t(d) * count + e.target] = found_cm[th][k];
          } else {
            const uint32_t at = fill[e.node]++;
            bucket[at] = {e.target, e.ms};
            if (with_cm) bucket_cm[at] = found_cm[th][k];
          }
        }
        found[th].clear();
        found_cm[th].clear();
      }
    });
    stats.dense_buckets += dense_count;
    // 3. Forward searches, in parallel: each source fills its own row.
    timer.time("forward", [&] {
      parallelFor(S, threads, [&](uint64_t k, unsigned th) {
        const uint32_t s = source_order[k];
        thread_local std::vector<int64_t> row_ms, row_cm, zeros, unused_cm;
        thread_local std::vector<DenseVisit> dense_visits;
        row_ms.assign(count, kUnreachable);
        if (with_cm) {
          row_cm.assign(count, 0);
        } else {
          // Without distances the sink is handed a row of zeros nothing writes.
          if (zeros.size() < count) zeros.assign(count, 0);
          if (unused_cm.size() < count) unused_cm.resize(count);
        }
        ends.directSameSegment(eb, static_cast<uint32_t>(s), begin, count, row_ms.data(), with_cm ? row_cm.data() : unused_cm.data());
        dense_visits.clear();
        search(th, true, source_seeds[s], [&](uint32_t node, int64_t d, int64_t cm) {
          ++counts[th].forward;
          const uint32_t slot = slot_of[node];
          if (slot == kCleanNodeValue) return;
          if (const uint32_t dense = slot_dense[slot]; dense != kCleanNodeValue) {
            dense_visits.push_back({dense_ms.data() + size_t(dense) * count, with_cm ? dense_cm.data() + size_t(dense) * count : nullptr, d, cm});
            return;
          }
          for (uint32_t i = slot_first[slot]; i < slot_first[slot + 1]; ++i) {
            const BucketEntry& e = bucket[i];
            const int64_t total_ms = d + e.ms;
            if (total_ms < 0 || total_ms >= row_ms[e.target]) continue;
            row_ms[e.target] = total_ms;
            if (with_cm) row_cm[e.target] = cm + bucket_cm[i];
          }
        });
        relaxDenseBuckets(dense_visits.data(), static_cast<uint32_t>(dense_visits.size()), with_cm, count, row_ms.data(), row_cm.data());
        sink(static_cast<uint32_t>(s), begin, count, row_ms.data(), with_cm ? row_cm.data() : zeros.data());
      }, 4);
    });
  }
  for (const Counts& c : counts) {
    stats.settled_backward += c.backward;
    stats.settled_forward += c.forward;
  }
  return stats;
}

}  // namespace

ManyToManyStats bucketManyToMany(const LoadedMap& map, const std::vector<SnapResult>& sources, const std::vector<SnapResult>& targets,
                                 const ManyToManyOptions& options, const RowSink& sink) {
  return buckets(map, sources, targets, options, sink, nullptr);
}

namespace {

double threadCpuNs() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) * 1e9 + double(t.tv_nsec);
}

// The cost model's unit costs (ns, one thread), fitted to `waymark bench compare` on malta and
// region64 (1 thread, search only): a sparse bucket entry scanned, one stored, a target of a dense
// bucket's row relaxed (dense_bucket.h: a pass over the row per dense bucket a source settles, bound
// by reading the rows), a selection arc or node swept for a batch of 16 sources per vector (kNsPerSweptUnit +
// kNsPerSweptUnitVector per vector: a wider batch costs more per arc, less per source) and a matrix
// cell transposed from lanes into rows. A settled node's cost is not a constant (it grows with the
// map, whose graph does not stay in cache): the sampled searches are timed.
constexpr double kNsPerBucketEntry = 0.8;
constexpr double kNsPerDenseCell = 0.25;
// A backward search's entry stored and sorted into its bucket, beyond the search itself.
constexpr double kNsPerStoredEntry = 60;
constexpr double kNsPerSweptUnit = 2.0;
constexpr double kNsPerSweptUnitVector = 1.7;
constexpr double kNsPerLaneCell = 5.0;
// What buckets cost beyond the work counted above (slots, sorting, rows, the entries' memory
// traffic shared by both threads): measured/modelled was 1.2-1.5 on malta 5000² and 10000² and
// region64 5000², while RPHAST's model stayed within 0.87-1.15 of its measured time. Without
// it `auto` picked buckets on malta 5000² where RPHAST measured 115 against 155 ms on 2 threads.
// WAYMARK_BUCKETS_OVERHEAD=<factor> overrides it (for tests and for refitting the model on another
// machine: a value it cannot read fails the matrix).
constexpr double kBucketsOverhead = 1.4;
double bucketsOverhead() {
  if (const char* forced = std::getenv("WAYMARK_BUCKETS_OVERHEAD")) {
    char* end = nullptr;
    const double f = std::strtod(forced, &end);
    if (*forced == '\0' || *end != '\0' || !std::isfinite(f) || f <= 0 || f > 1000)
      throw Error("InvalidValue", "WAYMARK_BUCKETS_OVERHEAD must be a positive factor, not '" + std::string(forced) + "'");
    return f;
  }
  return kBucketsOverhead;
}
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
  // Bucket entries of sampled targets by node, then what sampled sources' searches meet of them:
  // sparse entries, or the rows of the buckets that would be dense.
  CompactUpwardSearch search;
  std::unordered_map<uint32_t, uint32_t> entries;
  const uint32_t bt = static_cast<uint32_t>(std::clamp<size_t>(block / 4, std::min<size_t>(block, 4), kSampleTargets));
  uint64_t backward = 0;
  for (uint32_t k = 0; k < bt; ++k) {
    const size_t t = k * block / bt;
    std::vector<SearchEndpoint> seeds;
    for (const auto& q : ends.target_positions[t]) seeds.push_back(asTarget(eb, q));
    search.run<false>(ch, false, seeds, [&](uint32_t node, int64_t, int64_t) {
      ++backward;
      ++entries[node];
    });
  }
  const uint32_t fs = static_cast<uint32_t>(std::clamp<size_t>(S / 4, std::min<size_t>(S, 4), kSampleSources));
  // A bucket is dense when its entries, scaled from the sampled targets to a block of buckets (as
  // bucketManyToMany sizes them), reach the threshold.
  const double bucket_block =
      std::clamp(double(ManyToManyOptions{}.max_bucket_entries) / (1.5 * std::max(1.0, double(backward) / std::max(bt, 1u))), 1.0, double(T));
  const double scale = bucket_block / std::max(bt, 1u);
  const double dense_min = denseBucketMinEntries(static_cast<uint32_t>(bucket_block));
  uint64_t scanned = 0, dense_visits = 0;
  for (uint32_t k = 0; k < fs; ++k) {
    const size_t s = k * S / fs;
    search.run<false>(ch, true, ends.source_seeds[s], [&](uint32_t node, int64_t, int64_t) {
      if (auto it = entries.find(node); it != entries.end()) {
        if (double(it->second) * scale >= dense_min)
          ++dense_visits;
        else
          scanned += it->second;
      }
    });
  }
  // The time per settled node as the request's backward searches will see it: bt consecutive
  // targets in the Hilbert order they run in, which share cache as the real run's do.
  {
    const std::vector<uint32_t> order = hilbertOrder(std::vector<SnapResult>(targets.begin(), targets.begin() + block));
    const uint64_t settled0 = search.settled();
    const double cpu0 = threadCpuNs();
    for (uint32_t k = 0; k < bt; ++k) {
      const uint32_t t = order[(block - bt) / 2 + k];
      std::vector<SearchEndpoint> seeds;
      for (const auto& q : ends.target_positions[t]) seeds.push_back(asTarget(eb, q));
      search.run<false>(ch, false, seeds, [&](uint32_t, int64_t, int64_t) {});
    }
    const uint64_t sampled = search.settled() - settled0;
    e.ns_per_settled = std::clamp((threadCpuNs() - cpu0) / double(std::max<uint64_t>(sampled, 1)), 20.0, 1e5);
  }
  e.backward_settled_per_target = bt ? double(backward) / bt : 0;
  e.bucket_scan_per_source = fs && bt ? double(scanned) / fs * double(T) / bt : 0;
  e.dense_cells_per_source = fs ? double(dense_visits) / fs * double(T) : 0;
  // Buckets: a backward search per target, the sparse scans and dense rows.
  e.buckets_ms = bucketsOverhead() * (double(T) * e.backward_settled_per_target * (e.ns_per_settled + kNsPerStoredEntry) + double(S) * e.bucket_scan_per_source * kNsPerBucketEntry +
                  double(S) * e.dense_cells_per_source * kNsPerDenseCell) /
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
  // Buckets take the estimate's endpoints (building them again is most of their serial part) and
  // let its selection go.
  std::optional<MatrixEndpoints> estimated_ends;
  if (method != MatrixMethod::kRphast && prepared) {
    estimated_ends.emplace(std::move(prepared->ends));
    prepared.reset();
  }
  ManyToManyStats stats = method == MatrixMethod::kRphast
                              ? rphastManyToMany(map, sources, targets, options, sink, std::move(prepared))
                              : buckets(map, sources, targets, options, sink, estimated_ends ? &*estimated_ends : nullptr);
  stats.estimated = estimated;
  stats.estimate = estimate;
  return stats;
}

}  // namespace waymark
