#include "matrix/many_to_many.h"

#include <algorithm>
#include <memory>
#include <unordered_map>

#include "ch/upward_search.h"
#include "common/parallel.h"
#include "route/endpoints.h"

namespace waymark {

namespace {

struct BucketEntry {
  uint32_t target;  // index within the block
  uint32_t ms;      // backward distance: >= 0
  int64_t cm;
};

struct SameSegmentTarget {
  uint32_t target;
  double fraction;
};

}  // namespace

ManyToManyStats manyToMany(const LoadedMap& map, const std::vector<SnapResult>& sources, const std::vector<SnapResult>& targets,
                           const ManyToManyOptions& options, const RowSink& sink) {
  const unsigned threads = options.threads ? options.threads : defaultThreadCount();
  // Per-thread settled counts, a cache line each so the counting threads do not contend.
  struct alignas(64) Counts {
    uint64_t backward = 0, forward = 0;
  };
  std::vector<Counts> counts(threads);
  ManyToManyStats stats;
  stats.threads = threads;
  const EdgeBasedView& eb = map.eb;
  const uint32_t n = map.ch.nodeCount();
  const uint32_t S = static_cast<uint32_t>(sources.size()), T = static_cast<uint32_t>(targets.size());

  std::vector<std::vector<SegmentPosition>> target_positions(T);
  std::unordered_map<uint32_t, std::vector<SameSegmentTarget>> on_segment;  // segment -> targets on it
  for (uint32_t t = 0; t < T; ++t) {
    target_positions[t] = targetPositionsOf(eb, targets[t]);
    for (const auto& q : target_positions[t]) on_segment[q.segment].push_back({t, q.fraction});
  }
  // Source seeds: a source on a segment some target lies on must leave that segment first (the
  // direct same-segment case is handled separately), exactly as for single routes.
  std::vector<std::vector<SearchEndpoint>> source_seeds(S);
  std::vector<std::vector<SegmentPosition>> source_positions(S);
  for (uint32_t s = 0; s < S; ++s) {
    source_positions[s] = positionsOf(eb, sources[s]);
    for (const auto& p : source_positions[s]) {
      const SearchEndpoint src = asSource(eb, p);
      if (!on_segment.count(p.segment)) {
        source_seeds[s].push_back(src);
        continue;
      }
      for (uint32_t i = eb.turn_first[p.segment]; i < eb.turn_first[p.segment + 1]; ++i)
        if (eb.turn_weight[i] != kNotAllowed)  // closed by a metric
          source_seeds[s].push_back({eb.turn_head[i], src.offset_ms + eb.turn_weight[i], src.offset_cm + eb.segment_length_cm[p.segment]});
    }
  }

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

  std::vector<uint32_t> bucket_first;
  std::vector<BucketEntry> bucket;
  for (uint32_t begin = 0; begin < T; begin += block) {
    const uint32_t count = std::min(block, T - begin);
    ++stats.blocks;
    // 1. Backward searches, in parallel, into per-thread entry lists.
    std::vector<std::vector<std::pair<uint32_t, BucketEntry>>> found(threads);
    parallelFor(count, threads, [&](uint64_t i, unsigned th) {
      const uint32_t t = begin + static_cast<uint32_t>(i);
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
    parallelFor(S, threads, [&](uint64_t s, unsigned th) {
      thread_local std::vector<int64_t> row_ms, row_cm;
      row_ms.assign(count, kUnreachable);
      row_cm.assign(count, 0);
      // Same segment, target ahead: direct.
      for (const auto& p : source_positions[s]) {
        auto it = on_segment.find(p.segment);
        if (it == on_segment.end()) continue;
        for (const auto& q : it->second) {
          if (q.target < begin || q.target >= begin + count || q.fraction < p.fraction) continue;
          const SegmentPosition qp{p.segment, q.fraction};
          const int64_t ms = partialMs(eb, qp) - partialMs(eb, p);
          if (ms < row_ms[q.target - begin]) {
            row_ms[q.target - begin] = ms;
            row_cm[q.target - begin] = partialCm(eb, qp) - partialCm(eb, p);
          }
        }
      }
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

}  // namespace waymark
