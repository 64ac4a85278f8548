#pragma once
// The RPHAST sweep over a selection for a batch of sources at once: labels are laid out
// position-major, `vectors` x kLanesPerVector int32 per position (1, 2 or 4 64-byte lines for
// durations, as many for distances), so relaxing an arc is a handful of vector operations, and a
// wider batch reads the selection's arcs once for more sources. Compiled for AVX-512, AVX2 and
// baseline x86-64 (SSE2) and picked at run time by the CPU, so the addon runs on any x86-64; on
// other architectures plain vector code for the target.
#include <cstdint>

#include "matrix/rphast.h"

namespace waymark {

constexpr int32_t kLaneUnreached = 1 << 30;
constexpr int32_t kLaneMsLimit = 1 << 29;  // labels at or above (and reached) leave the exact range
constexpr int32_t kLaneCmLimit = 1 << 30;

// A source's upward label at one position; seeds of a position are chained through `next`.
struct LaneSeed {
  uint32_t next;  // kNoSeed ends the chain
  uint32_t lane;  // 0 .. lanes of the batch
  int32_t ms;
  int32_t cm;
};
constexpr uint32_t kNoSeed = 0xFFFFFFFFu;

// Batch widths the kernels are compiled for: vectors of kLanesPerVector lanes per position.
constexpr bool validSweepVectors(uint32_t vectors) { return vectors == 1 || vectors == 2 || vectors == 4; }

// ms (and cm, unless null) hold size() * vectors * kLanesPerVector labels, 64-byte aligned;
// seed_head[position] starts that position's seed chain. Every label is written. Returns false if
// some reached label left the exact range (the caller then discards the batch).
bool sweepLanes(const RphastSelection& sel, uint32_t vectors, const uint32_t* seed_head, const LaneSeed* seeds, int32_t* ms, int32_t* cm);

// A target's end on the selection: the position of one of its segments (or copies) and the part of
// the segment up to the point (both below kLaneArcLimit).
struct TargetLaneEnd {
  uint32_t position;
  int32_t ms, cm;
};

// After a sweep: per target t (ends end_first[t] .. end_first[t + 1]), the best end for every lane,
// into out_ms[t * lanes + lane] with lanes = vectors * kLanesPerVector (kLaneUnreached where none;
// distances into out_cm unless label_cm is null). Reading the targets' label lines is the cost: they
// are prefetched ahead.
void gatherTargetLanes(uint32_t vectors, const int32_t* label_ms, const int32_t* label_cm, const uint32_t* end_first, const TargetLaneEnd* ends,
                       uint32_t targets, int32_t* out_ms, int32_t* out_cm);

// Which code the kernels run: the widest of "avx512f", "avx2", "baseline" the CPU has, or narrower
// when the environment variable WAYMARK_SIMD names one (for tests and benchmarks).
const char* sweepLanesIsa();

}  // namespace waymark
