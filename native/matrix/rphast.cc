#include "matrix/rphast.h"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <memory>
#include <mutex>

#include "common/error.h"
#include "common/parallel.h"
#include "matrix/clean_node_array.h"
#include "matrix/compact_upward_search.h"
#include "matrix/hilbert_order.h"
#include "matrix/matrix_endpoints.h"
#include "matrix/rphast_sweep.h"

namespace waymark {

RphastSelection::RphastSelection(RphastSelection&& o) noexcept
    : position_of(o.position_of),
      node(std::move(o.node)),
      arc_first(std::move(o.arc_first)),
      arc(std::move(o.arc)),
      arc_distance(std::move(o.arc_distance)),
      fits_lanes(o.fits_lanes),
      positions_(std::move(o.positions_)) {
  o.position_of = nullptr;
  o.node.clear();
}

RphastSelection::~RphastSelection() {
  if (!positions_) return;
  for (uint32_t v : node) (*positions_)[v] = kNotSelected;
  returnCleanNodeArray(std::move(positions_));
}

RphastSelection selectTargets(const CHGraph& ch, std::span<const uint32_t> target_nodes) {
  RphastSelection sel;
  const uint32_t n = ch.nodeCount();
  constexpr uint32_t kMarked = 0;
  sel.positions_ = borrowCleanNodeArray(n);
  uint32_t* position_of = sel.positions_->data();
  sel.position_of = position_of;
  // Marked nodes go straight into `node` so that the destructor resets them, whatever happens.
  std::vector<uint32_t>& marked = sel.node;
  for (uint32_t v : target_nodes) {
    if (position_of[v] == kMarked) continue;
    marked.push_back(v);
    position_of[v] = kMarked;
  }
  // Downward arcs x -> v are stored at v with head x (rank x > rank v): following them goes up.
  for (size_t k = 0; k < marked.size(); ++k) {
    const uint32_t v = marked[k];
    for (uint32_t i = ch.down_first[v]; i < ch.down_first[v + 1]; ++i) {
      const uint32_t x = ch.down_head[i];
      if (position_of[x] == kMarked) continue;
      marked.push_back(x);
      position_of[x] = kMarked;
    }
  }
  // Hierarchy nodes are numbered by rank: descending ids are the sweep order. A large selection is
  // put in order by a scan over every node rather than by sorting.
  if (marked.size() > n / 32) {
    size_t k = 0;
    for (uint32_t v = n; v-- > 0;)
      if (position_of[v] == kMarked) marked[k++] = v;
  } else {
    std::sort(marked.begin(), marked.end(), std::greater<uint32_t>());
  }
  for (uint32_t p = 0; p < marked.size(); ++p) position_of[marked[p]] = p;
  sel.arc_first.resize(sel.node.size() + 1);
  uint32_t arcs = 0;
  for (uint32_t p = 0; p < sel.node.size(); ++p) {
    sel.arc_first[p] = arcs;
    arcs += ch.down_first[sel.node[p] + 1] - ch.down_first[sel.node[p]];
  }
  sel.arc_first.back() = arcs;
  sel.arc.resize(arcs);
  sel.arc_distance.resize(arcs);
  for (uint32_t p = 0, a = 0; p < sel.node.size(); ++p) {
    const uint32_t v = sel.node[p];
    for (uint32_t i = ch.down_first[v]; i < ch.down_first[v + 1]; ++i, ++a) {
      sel.arc[a] = {position_of[ch.down_head[i]], ch.down_weight[i]};
      sel.arc_distance[a] = ch.down_distance[i];
      sel.fits_lanes = sel.fits_lanes && ch.down_weight[i] < kLaneArcLimit && ch.down_distance[i] < kLaneArcLimit;
    }
  }
  return sel;
}

namespace {

// Labels of one batch: position-major, the batch's lanes per position, on 64-byte lines.
struct AlignedLabels {
  struct Free {
    void operator()(int32_t* p) const { std::free(p); }
  };
  std::unique_ptr<int32_t, Free> data;
  static AlignedLabels of(size_t count) {
    const size_t bytes = (count * sizeof(int32_t) + 63) / 64 * 64;
    AlignedLabels a;
    a.data.reset(static_cast<int32_t*>(std::aligned_alloc(64, std::max<size_t>(bytes, 64))));
    if (!a.data) throw std::bad_alloc();
    return a;
  }
};

// One thread's scratch for a request.
struct BatchScratch {
  AlignedLabels ms, cm;
  std::vector<uint32_t> seed_head;  // by position, kNoSeed where none
  std::vector<LaneSeed> seeds;
  std::vector<uint32_t> seeded;  // positions with a seed chain
  AlignedLabels target_ms, target_cm;   // per target, the batch's lanes
  std::vector<int64_t> row_ms, row_cm;  // one row of T per lane
  std::vector<int64_t> unused_cm;       // without distances: what directSameSegment writes, unread
};

}  // namespace

uint32_t rphastSweepVectors(uint64_t sources, unsigned threads) {
  if (const char* forced = std::getenv("WAYMARK_RPHAST_VECTORS")) {
    const uint32_t v = static_cast<uint32_t>(std::atoi(forced));
    // A benchmark setting: honoured, or the matrix fails loudly rather than measuring another width.
    if (!validSweepVectors(v)) throw Error("InvalidValue", std::string("WAYMARK_RPHAST_VECTORS must be 1, 2 or 4, not '") + forced + "'");
    return v;
  }
  // The widest batch up to kWidestDefaultVectors that still gives every thread one.
  for (uint32_t v = kWidestDefaultVectors; v > 1; v /= 2)
    if (sources >= uint64_t(v) * kLanesPerVector * std::max(1u, threads)) return v;
  return 1;
}

std::unique_ptr<RphastTargets> prepareRphastTargets(const LoadedMap& map, const std::vector<SnapResult>& sources,
                                                    const std::vector<SnapResult>& targets) {
  MatrixEndpoints ends = matrixEndpoints(map.eb, sources, targets);
  std::vector<uint32_t> target_nodes;
  for (const auto& positions : ends.target_positions)
    for (const auto& q : positions) target_nodes.push_back(map.ch.rank[q.segment]);
  return std::unique_ptr<RphastTargets>(new RphastTargets{std::move(ends), selectTargets(map.ch, target_nodes)});
}

namespace {

ManyToManyStats rphastBlock(const LoadedMap& map, const std::vector<SnapResult>& sources, const std::vector<SnapResult>& targets,
                            const ManyToManyOptions& options, const RowSink& sink, std::unique_ptr<RphastTargets> prepared) {
  const unsigned threads = options.threads ? options.threads : defaultThreadCount();
  const EdgeBasedView& eb = map.eb;
  const CHGraph& ch = map.ch;
  const uint32_t S = static_cast<uint32_t>(sources.size()), T = static_cast<uint32_t>(targets.size());
  if (!prepared) prepared = prepareRphastTargets(map, sources, targets);
  const MatrixEndpoints& ends = prepared->ends;
  const RphastSelection& sel = prepared->sel;
  std::vector<uint32_t> end_first(T + 1, 0);
  std::vector<TargetLaneEnd> target_ends;
  bool fits_lanes = sel.fits_lanes;
  for (uint32_t t = 0; t < T; ++t) {
    for (const auto& q : ends.target_positions[t]) {
      const int64_t ms = partialMs(eb, q), cm = partialCm(eb, q);
      fits_lanes = fits_lanes && ms < kLaneArcLimit && cm < kLaneArcLimit;
      target_ends.push_back({sel.position_of[ch.rank[q.segment]], static_cast<int32_t>(ms), static_cast<int32_t>(cm)});
    }
    end_first[t + 1] = static_cast<uint32_t>(target_ends.size());
  }
  if (!fits_lanes) {
    ManyToManyStats stats = bucketManyToMany(map, sources, targets, options, sink);
    stats.selected_nodes = sel.size();
    return stats;
  }

  const bool with_cm = options.distances;
  const uint32_t m = sel.size();
  // Batches take the sources along a Hilbert curve: one thread's searches share their upper parts in cache.
  const std::vector<uint32_t> order = hilbertOrder(sources);
  const uint32_t vectors = rphastSweepVectors(S, threads);
  const uint32_t width = vectors * kLanesPerVector;  // sources per batch
  const uint64_t batches = (uint64_t(S) + width - 1) / width;
  const unsigned workers = static_cast<unsigned>(std::max<uint64_t>(1, std::min<uint64_t>(threads, batches)));
  std::vector<std::unique_ptr<BatchScratch>> scratch(workers);
  std::vector<CompactUpwardSearch> searches(workers);
  struct alignas(64) Counts {
    uint64_t forward = 0;
  };
  std::vector<Counts> counts(workers);
  std::mutex redo_mutex;
  std::vector<uint32_t> redo;  // sources of batches that left the 32-bit range

  parallelFor(batches, workers, [&](uint64_t b, unsigned th) {
    if (!scratch[th]) {
      auto s = std::make_unique<BatchScratch>();
      s->ms = AlignedLabels::of(size_t(m) * width);
      if (with_cm) s->cm = AlignedLabels::of(size_t(m) * width);
      s->seed_head.assign(m, kNoSeed);
      s->target_ms = AlignedLabels::of(size_t(T) * width);
      if (with_cm) s->target_cm = AlignedLabels::of(size_t(T) * width);
      s->row_ms.resize(size_t(width) * T);
      // Without distances the sink is handed rows of zeros that nothing writes.
      s->row_cm.assign(with_cm ? size_t(width) * T : T, 0);
      if (!with_cm) s->unused_cm.resize(T);
      scratch[th] = std::move(s);
    }
    BatchScratch& sc = *scratch[th];
    const uint32_t first_source = static_cast<uint32_t>(b * width);
    const uint32_t lanes = std::min<uint32_t>(width, S - first_source);
    bool in_range = true;
    sc.seeds.clear();
    for (uint32_t lane = 0; lane < lanes; ++lane) {
      auto seed = [&](uint32_t u, int64_t d, int64_t cm) {
        ++counts[th].forward;
        const uint32_t p = sel.position_of[u];
        if (p == kNotSelected) return;
        if (d >= kLaneMsLimit || d <= -kLaneMsLimit || cm >= kLaneCmLimit || cm <= -kLaneCmLimit) {
          in_range = false;
          return;
        }
        if (sc.seed_head[p] == kNoSeed) sc.seeded.push_back(p);
        sc.seeds.push_back({sc.seed_head[p], lane, static_cast<int32_t>(d), static_cast<int32_t>(cm)});
        sc.seed_head[p] = static_cast<uint32_t>(sc.seeds.size() - 1);
      };
      const auto& source = ends.source_seeds[order[first_source + lane]];
      if (with_cm)
        searches[th].run<true>(ch, true, source, seed);
      else
        searches[th].run<false>(ch, true, source, seed);
    }
    if (in_range) in_range = sweepLanes(sel, vectors, sc.seed_head.data(), sc.seeds.data(), sc.ms.data.get(), with_cm ? sc.cm.data.get() : nullptr);
    for (uint32_t p : sc.seeded) sc.seed_head[p] = kNoSeed;
    sc.seeded.clear();
    if (!in_range) {
      std::lock_guard<std::mutex> lock(redo_mutex);
      for (uint32_t lane = 0; lane < lanes; ++lane) redo.push_back(order[first_source + lane]);
      return;
    }
    gatherTargetLanes(vectors, sc.ms.data.get(), with_cm ? sc.cm.data.get() : nullptr, end_first.data(), target_ends.data(), T,
                      sc.target_ms.data.get(), with_cm ? sc.target_cm.data.get() : nullptr);
    const int32_t* target_ms = sc.target_ms.data.get();
    const int32_t* target_cm = with_cm ? sc.target_cm.data.get() : nullptr;
    // Transposed into one row per source: reading each target's lanes once, writing `lanes` rows in step.
    for (uint32_t t = 0; t < T; ++t) {
      const int32_t* ms = target_ms + size_t(t) * width;
      for (uint32_t lane = 0; lane < lanes; ++lane) sc.row_ms[size_t(lane) * T + t] = ms[lane] != kLaneUnreached ? ms[lane] : kUnreachable;
      if (target_cm) {
        const int32_t* cm = target_cm + size_t(t) * width;
        for (uint32_t lane = 0; lane < lanes; ++lane) sc.row_cm[size_t(lane) * T + t] = ms[lane] != kLaneUnreached ? cm[lane] : 0;
      }
    }
    for (uint32_t lane = 0; lane < lanes; ++lane) {
      int64_t* row_ms = sc.row_ms.data() + size_t(lane) * T;
      int64_t* row_cm = with_cm ? sc.row_cm.data() + size_t(lane) * T : sc.row_cm.data();
      const uint32_t source = order[first_source + lane];
      ends.directSameSegment(eb, source, 0, T, row_ms, with_cm ? row_cm : sc.unused_cm.data());
      sink(source, 0, T, row_ms, row_cm);
    }
  }, 1);

  ManyToManyStats stats;
  stats.method = MatrixMethod::kRphast;
  stats.blocks = 1;
  stats.threads = workers;
  stats.selected_nodes = m;
  stats.sweeps = batches;
  stats.sweep_lanes = width;
  for (const Counts& c : counts) stats.settled_forward += c.forward;
  if (!redo.empty()) {
    std::sort(redo.begin(), redo.end());
    std::vector<SnapResult> redo_sources;
    for (uint32_t s : redo) redo_sources.push_back(sources[s]);
    const ManyToManyStats b = bucketManyToMany(map, redo_sources, targets, options, [&](uint32_t s, uint32_t begin, uint32_t count, const int64_t* ms, const int64_t* cm) {
      sink(redo[s], begin, count, ms, cm);
    });
    stats.settled_backward += b.settled_backward;
    stats.settled_forward += b.settled_forward;
    stats.blocks += b.blocks;
  }
  return stats;
}

}  // namespace

ManyToManyStats rphastManyToMany(const LoadedMap& map, const std::vector<SnapResult>& sources, const std::vector<SnapResult>& targets,
                                 const ManyToManyOptions& options, const RowSink& sink, std::unique_ptr<RphastTargets> prepared) {
  if (targets.size() <= kRphastTargetBlock) return rphastBlock(map, sources, targets, options, sink, std::move(prepared));
  ManyToManyStats stats;
  for (size_t begin = 0; begin < targets.size(); begin += kRphastTargetBlock) {
    const size_t end = std::min(targets.size(), begin + kRphastTargetBlock);
    const std::vector<SnapResult> block(targets.begin() + begin, targets.begin() + end);
    const ManyToManyStats b = rphastBlock(
        map, sources, block, options,
        [&](uint32_t s, uint32_t b_begin, uint32_t count, const int64_t* ms, const int64_t* cm) { sink(s, static_cast<uint32_t>(begin) + b_begin, count, ms, cm); },
        nullptr);
    stats.method = b.method;
    stats.threads = b.threads;
    stats.settled_backward += b.settled_backward;
    stats.settled_forward += b.settled_forward;
    stats.blocks += b.blocks;
    stats.selected_nodes += b.selected_nodes;
    stats.sweeps += b.sweeps;
    stats.sweep_lanes = b.sweep_lanes;
  }
  return stats;
}

}  // namespace waymark
