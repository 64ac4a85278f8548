#include "matrix/rphast_sweep.h"

#include <cstdlib>
#include <string>

namespace waymark {

namespace {

typedef int32_t Lanes __attribute__((vector_size(kLanesPerVector * sizeof(int32_t))));
typedef uint32_t UnsignedLanes __attribute__((vector_size(kLanesPerVector * sizeof(uint32_t))));
static_assert(sizeof(Lanes) == 64, "one cache line of labels per vector");

}  // namespace

// The kernels are written once, forced inline into one wrapper per instruction set and batch width
// (a function called from them would be compiled for the baseline only: hence no helpers or lambdas
// inside).
#define WAYMARK_INLINE inline __attribute__((always_inline))

namespace {

// Arcs ahead whose tail labels are prefetched: the tails of a big selection are scattered over
// megabytes of labels.
constexpr uint32_t kArcsAhead = 8;

template <uint32_t V>
WAYMARK_INLINE bool sweepBody(const RphastSelection& sel, const uint32_t* seed_head, const LaneSeed* seeds, int32_t* ms, int32_t* cm) {
  const uint32_t m = sel.size();
  const uint32_t* first = sel.arc_first.data();
  const SweepArc* arc = sel.arc.data();
  const uint32_t* distance = sel.arc_distance.data();
  const uint32_t arc_count = first[m];
  Lanes* L = reinterpret_cast<Lanes*>(__builtin_assume_aligned(ms, 64));
  const Lanes unreached = Lanes{} + kLaneUnreached;
  // A reached label is out of range when in [kLaneMsLimit, kLaneUnreached): then, and only then,
  // label - kLaneMsLimit as unsigned is below kLaneMsLimit (negative labels wrap to large values).
  UnsignedLanes lowest_excess = UnsignedLanes{} + 0xFFFFFFFFu;
  Lanes highest_cm = Lanes{};
  if (cm) {
    Lanes* C = reinterpret_cast<Lanes*>(__builtin_assume_aligned(cm, 64));
    for (uint32_t v = 0; v < m; ++v) {
      Lanes best[V], best_cm[V];
      for (uint32_t k = 0; k < V; ++k) best[k] = unreached, best_cm[k] = Lanes{};
      for (uint32_t s = seed_head[v]; s != kNoSeed; s = seeds[s].next) {
        best[seeds[s].lane / kLanesPerVector][seeds[s].lane % kLanesPerVector] = seeds[s].ms;
        best_cm[seeds[s].lane / kLanesPerVector][seeds[s].lane % kLanesPerVector] = seeds[s].cm;
      }
      for (uint32_t a = first[v], end = first[v + 1]; a < end; ++a) {
        if (a + kArcsAhead < arc_count) {
          __builtin_prefetch(L + size_t(arc[a + kArcsAhead].tail) * V);
          __builtin_prefetch(C + size_t(arc[a + kArcsAhead].tail) * V);
        }
        const Lanes* lx = L + size_t(arc[a].tail) * V;
        const Lanes* cx = C + size_t(arc[a].tail) * V;
        const int32_t w = static_cast<int32_t>(arc[a].weight), d = static_cast<int32_t>(distance[a]);
        for (uint32_t k = 0; k < V; ++k) {
          const Lanes via = lx[k] + w;
          const Lanes better = via < best[k];
          best[k] = better ? via : best[k];
          best_cm[k] = better ? cx[k] + d : best_cm[k];
        }
      }
      for (uint32_t k = 0; k < V; ++k) {
        L[size_t(v) * V + k] = best[k];
        C[size_t(v) * V + k] = best_cm[k];
        const UnsignedLanes excess = reinterpret_cast<UnsignedLanes>(best[k] - kLaneMsLimit);
        lowest_excess = excess < lowest_excess ? excess : lowest_excess;
        highest_cm = best_cm[k] > highest_cm ? best_cm[k] : highest_cm;
      }
    }
  } else {
    for (uint32_t v = 0; v < m; ++v) {
      Lanes best[V];
      for (uint32_t k = 0; k < V; ++k) best[k] = unreached;
      for (uint32_t s = seed_head[v]; s != kNoSeed; s = seeds[s].next)
        best[seeds[s].lane / kLanesPerVector][seeds[s].lane % kLanesPerVector] = seeds[s].ms;
      for (uint32_t a = first[v], end = first[v + 1]; a < end; ++a) {
        if (a + kArcsAhead < arc_count) __builtin_prefetch(L + size_t(arc[a + kArcsAhead].tail) * V);
        const Lanes* lx = L + size_t(arc[a].tail) * V;
        const int32_t w = static_cast<int32_t>(arc[a].weight);
        for (uint32_t k = 0; k < V; ++k) {
          const Lanes via = lx[k] + w;
          best[k] = via < best[k] ? via : best[k];
        }
      }
      for (uint32_t k = 0; k < V; ++k) {
        L[size_t(v) * V + k] = best[k];
        const UnsignedLanes excess = reinterpret_cast<UnsignedLanes>(best[k] - kLaneMsLimit);
        lowest_excess = excess < lowest_excess ? excess : lowest_excess;
      }
    }
  }
  for (uint32_t i = 0; i < kLanesPerVector; ++i)
    if (lowest_excess[i] < uint32_t(kLaneMsLimit) || highest_cm[i] >= kLaneCmLimit) return false;
  return true;
}

template <uint32_t V>
WAYMARK_INLINE void gatherBody(const int32_t* label_ms, const int32_t* label_cm, const uint32_t* end_first, const TargetLaneEnd* ends,
                               uint32_t targets, int32_t* out_ms, int32_t* out_cm) {
  const Lanes* L = reinterpret_cast<const Lanes*>(__builtin_assume_aligned(label_ms, 64));
  const Lanes* C = label_cm ? reinterpret_cast<const Lanes*>(__builtin_assume_aligned(label_cm, 64)) : nullptr;
  Lanes* out = reinterpret_cast<Lanes*>(__builtin_assume_aligned(out_ms, 64));
  Lanes* out_c = out_cm ? reinterpret_cast<Lanes*>(__builtin_assume_aligned(out_cm, 64)) : nullptr;
  const Lanes unreached = Lanes{} + kLaneUnreached;
  constexpr uint32_t kAhead = 8;
  const uint32_t end_count = end_first[targets];
  for (uint32_t t = 0; t < targets; ++t) {
    Lanes best[V], best_cm[V];
    for (uint32_t k = 0; k < V; ++k) best[k] = unreached, best_cm[k] = Lanes{};
    for (uint32_t e = end_first[t]; e < end_first[t + 1]; ++e) {
      if (e + kAhead < end_count) {
        for (uint32_t k = 0; k < V; ++k) __builtin_prefetch(L + size_t(ends[e + kAhead].position) * V + k);
        if (C)
          for (uint32_t k = 0; k < V; ++k) __builtin_prefetch(C + size_t(ends[e + kAhead].position) * V + k);
      }
      // Labels are below kLaneMsLimit or exactly kLaneUnreached, ends below kLaneArcLimit: a sum
      // below kLaneUnreached is a path. Negative sums (a source's own segment) are none.
      const Lanes* lx = L + size_t(ends[e].position) * V;
      for (uint32_t k = 0; k < V; ++k) {
        const Lanes via = lx[k] + ends[e].ms;
        const Lanes better = (via < best[k]) & (via >= 0);
        best[k] = better ? via : best[k];
        if (C) best_cm[k] = better ? C[size_t(ends[e].position) * V + k] + ends[e].cm : best_cm[k];
      }
    }
    for (uint32_t k = 0; k < V; ++k) {
      out[size_t(t) * V + k] = best[k];
      if (out_c) out_c[size_t(t) * V + k] = best_cm[k];
    }
  }
}

using SweepFn = bool (*)(const RphastSelection&, const uint32_t*, const LaneSeed*, int32_t*, int32_t*);
using GatherFn = void (*)(const int32_t*, const int32_t*, const uint32_t*, const TargetLaneEnd*, uint32_t, int32_t*, int32_t*);

struct LaneKernels {
  SweepFn sweep[3];  // 1, 2, 4 vectors
  GatherFn gather[3];
  const char* isa;
};

// One set of wrappers per instruction set; `ATTR` is its target attribute.
#define WAYMARK_LANE_KERNELS(NAME, ATTR)                                                                                                   \
  template <uint32_t V>                                                                                                                      \
  ATTR bool sweep##NAME(const RphastSelection& sel, const uint32_t* seed_head, const LaneSeed* seeds, int32_t* ms, int32_t* cm) {        \
    return sweepBody<V>(sel, seed_head, seeds, ms, cm);                                                                                      \
  }                                                                                                                                          \
  template <uint32_t V>                                                                                                                      \
  ATTR void gather##NAME(const int32_t* label_ms, const int32_t* label_cm, const uint32_t* end_first, const TargetLaneEnd* ends,           \
                         uint32_t targets, int32_t* out_ms, int32_t* out_cm) {                                                               \
    gatherBody<V>(label_ms, label_cm, end_first, ends, targets, out_ms, out_cm);                                                             \
  }                                                                                                                                          \
  constexpr LaneKernels kKernels##NAME = {{sweep##NAME<1>, sweep##NAME<2>, sweep##NAME<4>}, {gather##NAME<1>, gather##NAME<2>, gather##NAME<4>}, nullptr};

WAYMARK_LANE_KERNELS(Baseline, )
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define WAYMARK_LANE_X86 1
WAYMARK_LANE_KERNELS(Avx2, __attribute__((target("avx2"))))
WAYMARK_LANE_KERNELS(Avx512, __attribute__((target("avx512f"))))
#endif

LaneKernels named(LaneKernels k, const char* isa) {
  k.isa = isa;
  return k;
}

// The widest the CPU has, or narrower when WAYMARK_SIMD (avx512f, avx2, baseline) says so: the
// oracle tests run every variant this machine can.
LaneKernels chooseKernels() {
  const char* env = std::getenv("WAYMARK_SIMD");
  const std::string wanted = env ? env : "";
#ifdef WAYMARK_LANE_X86
  __builtin_cpu_init();
  if (wanted != "avx2" && wanted != "baseline" && __builtin_cpu_supports("avx512f")) return named(kKernelsAvx512, "avx512f");
  if (wanted != "baseline" && __builtin_cpu_supports("avx2")) return named(kKernelsAvx2, "avx2");
#endif
  (void)wanted;
  return named(kKernelsBaseline, "baseline");
}

const LaneKernels& kernels() {
  static const LaneKernels chosen = chooseKernels();
  return chosen;
}

uint32_t widthIndex(uint32_t vectors) { return vectors == 1 ? 0 : vectors == 2 ? 1 : 2; }

}  // namespace

bool sweepLanes(const RphastSelection& sel, uint32_t vectors, const uint32_t* seed_head, const LaneSeed* seeds, int32_t* ms, int32_t* cm) {
  return kernels().sweep[widthIndex(vectors)](sel, seed_head, seeds, ms, cm);
}

void gatherTargetLanes(uint32_t vectors, const int32_t* label_ms, const int32_t* label_cm, const uint32_t* end_first, const TargetLaneEnd* ends,
                       uint32_t targets, int32_t* out_ms, int32_t* out_cm) {
  kernels().gather[widthIndex(vectors)](label_ms, label_cm, end_first, ends, targets, out_ms, out_cm);
}

const char* sweepLanesIsa() { return kernels().isa; }

}  // namespace waymark
