#pragma once
// RPHAST (restricted PHAST; Delling, Goldberg, Nowatzyk, Werneck 2011/2013) for matrices. The
// targets' selection is built once: every hierarchy node from which a downward path leads to a
// target, i.e. the closure of the targets along the downward arcs followed upwards. It is renumbered
// in descending rank, with its downward arcs gathered per node, so the sweep reads memory in order.
// Then, per batch of 16, 32 or 64 sources: one upward search per source seeds the selection, and
// one linear sweep over it relaxes every node's incoming downward arcs for all the batch's sources
// at once, each node holding 1, 2 or 4 vectors of 16 32-bit labels (SIMD: rphast_sweep.h).
// Exact: a shortest path is an up-down path whose top node is in the selection, and every node below
// it on the way down to the target is too. 32-bit lanes are exact while labels stay below 2^29 ms
// (6.2 days) and 2^30 cm; a batch that leaves that range is recomputed with buckets.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "ch/ch_graph.h"
#include "matrix/clean_node_array.h"
#include "matrix/many_to_many.h"
#include "matrix/matrix_endpoints.h"

namespace waymark {

// 32-bit labels per SIMD vector (64 bytes); a batch of sources is 1, 2 or 4 vectors wide.
constexpr uint32_t kLanesPerVector = 16;
constexpr uint32_t kMaxSweepVectors = 4;
// Requests get at most 2 vectors (32 sources) per batch: 4 read the arcs half as often again, but
// their labels (256 bytes per node) fall out of cache sooner; on region64 1000² and 5000² and malta
// 1000² 32 lanes were as fast or faster (1 thread: 120 vs 155 ms, 1.38 vs 1.56 s, 6 vs 6 ms of sweeps).
constexpr uint32_t kWidestDefaultVectors = 2;
// Targets per selection: more are processed in blocks, which bounds the per-thread row buffers
// (one row per lane of a block) and the selection.
constexpr size_t kRphastTargetBlock = 1 << 16;
constexpr uint32_t kNotSelected = kCleanNodeValue;
// Arcs at or above this weight (ms) or distance (cm) do not fit the 32-bit lanes' headroom.
constexpr uint32_t kLaneArcLimit = 1u << 29;

// A downward arc into a selected node as the sweep reads it: the tail's position and the weight
// side by side, one 8-byte read per arc.
struct SweepArc {
  uint32_t tail;
  uint32_t weight;
};

struct RphastSelection {
  // position_of[hierarchy node]: its position in the sweep, kNotSelected outside. The array is
  // borrowed from a pool of arrays kept at kNotSelected between requests (clean_node_array.h: only the
  // selected entries are written, and reset when the selection goes), so a small selection costs
  // nothing per node of a big map.
  const uint32_t* position_of = nullptr;
  std::vector<uint32_t> node;  // position -> hierarchy node; positions descend in rank
  // Per position: the incoming downward arcs x -> node, from higher (earlier) positions x, stored
  // contiguously in sweep order (arc_distance parallel to arc).
  std::vector<uint32_t> arc_first;
  std::vector<SweepArc> arc;
  std::vector<uint32_t> arc_distance;
  bool fits_lanes = true;  // every arc below kLaneArcLimit
  uint32_t size() const { return static_cast<uint32_t>(node.size()); }

  RphastSelection() = default;
  RphastSelection(RphastSelection&& other) noexcept;
  RphastSelection& operator=(RphastSelection&&) = delete;
  ~RphastSelection();

 private:
  friend RphastSelection selectTargets(const CHGraph& ch, std::span<const uint32_t> target_nodes);
  std::unique_ptr<std::vector<uint32_t>> positions_;  // owns position_of's storage
};

// The selection of the given hierarchy nodes (duplicates allowed).
RphastSelection selectTargets(const CHGraph& ch, std::span<const uint32_t> target_nodes);

// Vectors of kLanesPerVector sources per sweep for a request with this many sources on this many
// threads: the widest batch up to kWidestDefaultVectors that still gives every thread one
// (WAYMARK_RPHAST_VECTORS=1|2|4 forces a width, for tests and benchmarks).
uint32_t rphastSweepVectors(uint64_t sources, unsigned threads);

// A request's endpoints and its targets' selection, built once: auto's estimate builds them and
// RPHAST, if chosen, sweeps the same.
struct RphastTargets {
  MatrixEndpoints ends;
  RphastSelection sel;
};
// For at most kRphastTargetBlock targets.
std::unique_ptr<RphastTargets> prepareRphastTargets(const LoadedMap& map, const std::vector<SnapResult>& sources,
                                                    const std::vector<SnapResult>& targets);

// prepared: from prepareRphastTargets on the same sources and targets, or null.
ManyToManyStats rphastManyToMany(const LoadedMap& map, const std::vector<SnapResult>& sources, const std::vector<SnapResult>& targets,
                                 const ManyToManyOptions& options, const RowSink& sink, std::unique_ptr<RphastTargets> prepared = nullptr);

}  // namespace waymark
