#include "matrix/rphast_sweep.h"

#include <cstdlib>
#include <string>

namespace waymark {

namespace {

typedef int32_t Lanes __attribute__((vector_size(kRphastLanes * sizeof(int32_t))));
typedef uint32_t UnsignedLanes __attribute__((vector_size(kRphastLanes * sizeof(uint32_t))));
static_assert(sizeof(Lanes) == 64, "one cache line of labels per position");

}  // namespace

// The kernels are written once, forced inline into one wrapper per instruction set (a function
// called from them would be compiled for the baseline only: hence no helpers or lambdas inside).
#define WAYMARK_INLINE inline __attribute__((always_inline))

namespace {

WAYMARK_INLINE
bool sweepBody(const RphastSelection& sel, const uint32_t* seed_head, const LaneSeed* seeds, int32_t* ms, int32_t* cm) {
  const uint32_t m = sel.size();
  const uint32_t* first = sel.arc_first.data();
  const uint32_t* tail = sel.arc_tail.data();
  const uint32_t* weight = sel.arc_weight.data();
  const uint32_t* distance = sel.arc_distance.data();
  Lanes* L = reinterpret_cast<Lanes*>(__builtin_assume_aligned(ms, 64));
  const Lanes unreached = Lanes{} + kLaneUnreached;
  // A reached label is out of range when in [kLaneMsLimit, kLaneUnreached): then, and only then,
  // label - kLaneMsLimit as unsigned is below kLaneMsLimit (negative labels wrap to large values).
  UnsignedLanes lowest_excess = UnsignedLanes{} + 0xFFFFFFFFu;
  Lanes highest_cm = Lanes{};
  if (cm) {
    Lanes* C = reinterpret_cast<Lanes*>(__builtin_assume_aligned(cm, 64));
    for (uint32_t v = 0; v < m; ++v) {
      Lanes best = unreached, best_cm = Lanes{};
      for (uint32_t k = seed_head[v]; k != kNoSeed; k = seeds[k].next) {
        best[seeds[k].lane] = seeds[k].ms;
        best_cm[seeds[k].lane] = seeds[k].cm;
      }
      for (uint32_t a = first[v], end = first[v + 1]; a < end; ++a) {
        const uint32_t x = tail[a];
        const Lanes via = L[x] + static_cast<int32_t>(weight[a]);
        const Lanes better = via < best;
        best = better ? via : best;
        best_cm = better ? C[x] + static_cast<int32_t>(distance[a]) : best_cm;
      }
      L[v] = best;
      C[v] = best_cm;
      const UnsignedLanes excess = reinterpret_cast<UnsignedLanes>(best - kLaneMsLimit);
      lowest_excess = excess < lowest_excess ? excess : lowest_excess;
      highest_cm = best_cm > highest_cm ? best_cm : highest_cm;
    }
  } else {
    for (uint32_t v = 0; v < m; ++v) {
      Lanes best = unreached;
      for (uint32_t k = seed_head[v]; k != kNoSeed; k = seeds[k].next) best[seeds[k].lane] = seeds[k].ms;
      for (uint32_t a = first[v], end = first[v + 1]; a < end; ++a) {
        const Lanes via = L[tail[a]] + static_cast<int32_t>(weight[a]);
        best = via < best ? via : best;
      }
      L[v] = best;
      const UnsignedLanes excess = reinterpret_cast<UnsignedLanes>(best - kLaneMsLimit);
      lowest_excess = excess < lowest_excess ? excess : lowest_excess;
    }
  }
  for (uint32_t i = 0; i < kRphastLanes; ++i)
    if (lowest_excess[i] < uint32_t(kLaneMsLimit) || highest_cm[i] >= kLaneCmLimit) return false;
  return true;
}

WAYMARK_INLINE
void gatherBody(const int32_t* label_ms, const int32_t* label_cm, const uint32_t* end_first, const TargetLaneEnd* ends, uint32_t targets,
                       int32_t* out_ms, int32_t* out_cm) {
  const Lanes* L = reinterpret_cast<const Lanes*>(__builtin_assume_aligned(label_ms, 64));
  const Lanes* C = label_cm ? reinterpret_cast<const Lanes*>(__builtin_assume_aligned(label_cm, 64)) : nullptr;
  Lanes* out = reinterpret_cast<Lanes*>(__builtin_assume_aligned(out_ms, 64));
  Lanes* out_c = out_cm ? reinterpret_cast<Lanes*>(__builtin_assume_aligned(out_cm, 64)) : nullptr;
  const Lanes unreached = Lanes{} + kLaneUnreached;
  constexpr uint32_t kAhead = 8;
  const uint32_t end_count = end_first[targets];
  for (uint32_t t = 0; t < targets; ++t) {
    Lanes best = unreached, best_cm = Lanes{};
    for (uint32_t e = end_first[t]; e < end_first[t + 1]; ++e) {
      if (e + kAhead < end_count) {
        __builtin_prefetch(L + ends[e + kAhead].position);
        if (C) __builtin_prefetch(C + ends[e + kAhead].position);
      }
      // Labels are below kLaneMsLimit or exactly kLaneUnreached, ends below kLaneArcLimit: a sum
      // below kLaneUnreached is a path. Negative sums (a source's own segment) are none.
      const Lanes via = L[ends[e].position] + ends[e].ms;
      const Lanes better = (via < best) & (via >= 0);
      best = better ? via : best;
      if (C) best_cm = better ? C[ends[e].position] + ends[e].cm : best_cm;
    }
    out[t] = best;
    if (out_c) out_c[t] = best_cm;
  }
}

struct LaneKernels {
  bool (*sweep)(const RphastSelection&, const uint32_t*, const LaneSeed*, int32_t*, int32_t*);
  void (*gather)(const int32_t*, const int32_t*, const uint32_t*, const TargetLaneEnd*, uint32_t, int32_t*, int32_t*);
  const char* isa;
};

bool sweepBaseline(const RphastSelection& sel, const uint32_t* seed_head, const LaneSeed* seeds, int32_t* ms, int32_t* cm) {
  return sweepBody(sel, seed_head, seeds, ms, cm);
}
void gatherBaseline(const int32_t* label_ms, const int32_t* label_cm, const uint32_t* end_first, const TargetLaneEnd* ends, uint32_t targets,
                    int32_t* out_ms, int32_t* out_cm) {
  gatherBody(label_ms, label_cm, end_first, ends, targets, out_ms, out_cm);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define WAYMARK_LANE_X86 1
__attribute__((target("avx2"))) bool sweepAvx2(const RphastSelection& sel, const uint32_t* seed_head, const LaneSeed* seeds, int32_t* ms, int32_t* cm) {
  return sweepBody(sel, seed_head, seeds, ms, cm);
}
__attribute__((target("avx2"))) void gatherAvx2(const int32_t* label_ms, const int32_t* label_cm, const uint32_t* end_first, const TargetLaneEnd* ends,
                                                uint32_t targets, int32_t* out_ms, int32_t* out_cm) {
  gatherBody(label_ms, label_cm, end_first, ends, targets, out_ms, out_cm);
}
__attribute__((target("avx512f"))) bool sweepAvx512(const RphastSelection& sel, const uint32_t* seed_head, const LaneSeed* seeds, int32_t* ms,
                                                   int32_t* cm) {
  return sweepBody(sel, seed_head, seeds, ms, cm);
}
__attribute__((target("avx512f"))) void gatherAvx512(const int32_t* label_ms, const int32_t* label_cm, const uint32_t* end_first,
                                                    const TargetLaneEnd* ends, uint32_t targets, int32_t* out_ms, int32_t* out_cm) {
  gatherBody(label_ms, label_cm, end_first, ends, targets, out_ms, out_cm);
}
#endif

// The widest the CPU has, or narrower when WAYMARK_SIMD (avx512f, avx2, baseline) says so: the
// oracle tests run every variant this machine can.
LaneKernels chooseKernels() {
  const char* env = std::getenv("WAYMARK_SIMD");
  const std::string wanted = env ? env : "";
#ifdef WAYMARK_LANE_X86
  __builtin_cpu_init();
  if (wanted != "avx2" && wanted != "baseline" && __builtin_cpu_supports("avx512f")) return {sweepAvx512, gatherAvx512, "avx512f"};
  if (wanted != "baseline" && __builtin_cpu_supports("avx2")) return {sweepAvx2, gatherAvx2, "avx2"};
#endif
  (void)wanted;
  return {sweepBaseline, gatherBaseline, "baseline"};
}

const LaneKernels& kernels() {
  static const LaneKernels chosen = chooseKernels();
  return chosen;
}

}  // namespace

bool sweepLanes(const RphastSelection& sel, const uint32_t* seed_head, const LaneSeed* seeds, int32_t* ms, int32_t* cm) {
  return kernels().sweep(sel, seed_head, seeds, ms, cm);
}

void gatherTargetLanes(const int32_t* label_ms, const int32_t* label_cm, const uint32_t* end_first, const TargetLaneEnd* ends, uint32_t targets,
                       int32_t* out_ms, int32_t* out_cm) {
  kernels().gather(label_ms, label_cm, end_first, ends, targets, out_ms, out_cm);
}

const char* sweepLanesIsa() { return kernels().isa; }

}  // namespace waymark
