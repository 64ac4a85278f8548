#include "matrix/dense_bucket.h"

#include <string>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "matrix/rphast_sweep.h"

namespace waymark {

// Written with intrinsics per instruction set: GCC's generic 64-bit vector comparisons fall back to
// scalar code under AVX-512F alone.
#define WAYMARK_INLINE inline __attribute__((always_inline))

namespace {

template <bool kWithCm>
WAYMARK_INLINE void relaxTail(const DenseVisit* visits, uint32_t visit_count, uint32_t t, uint32_t count, int64_t* row_ms, int64_t* row_cm) {
  for (; t < count; ++t)
    for (uint32_t j = 0; j < visit_count; ++j) {
      const DenseVisit& v = visits[j];
      if (v.row_ms[t] == kNoDenseEntry) continue;
      const int64_t via = v.ms + v.row_ms[t];
      if (via < 0 || via >= row_ms[t]) continue;
      row_ms[t] = via;
      if constexpr (kWithCm) row_cm[t] = v.cm + v.row_cm[t];
    }
}

using RelaxFn = void (*)(const DenseVisit*, uint32_t, uint32_t, int64_t*, int64_t*);

template <bool kWithCm>
void relaxBaseline(const DenseVisit* visits, uint32_t visit_count, uint32_t count, int64_t* row_ms, int64_t* row_cm) {
  relaxTail<kWithCm>(visits, visit_count, 0, count, row_ms, row_cm);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define WAYMARK_DENSE_X86 1

// 8 targets at a time: their labels stay in registers while every visit is relaxed into them.
template <bool kWithCm>
__attribute__((target("avx512f"))) void relaxAvx512(const DenseVisit* visits, uint32_t visit_count, uint32_t count, int64_t* row_ms, int64_t* row_cm) {
  const __m512i none = _mm512_set1_epi64(kNoDenseEntry), zero = _mm512_setzero_si512();
  uint32_t t = 0;
  for (; t + 8 <= count; t += 8) {
    __m512i r = _mm512_loadu_si512(row_ms + t), c = kWithCm ? _mm512_loadu_si512(row_cm + t) : zero;
    for (uint32_t j = 0; j < visit_count; ++j) {
      const DenseVisit& v = visits[j];
      // (maskz: the unmasked form trips GCC 12's -Wmaybe-uninitialized in its own header)
      const __m512i e = _mm512_maskz_cvtepu32_epi64(0xFF, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(v.row_ms + t)));
      const __m512i via = _mm512_add_epi64(e, _mm512_set1_epi64(v.ms));
      const __mmask8 better = _mm512_mask_cmplt_epi64_mask(_mm512_cmpneq_epi64_mask(e, none) & _mm512_cmpge_epi64_mask(via, zero), via, r);
      r = _mm512_mask_mov_epi64(r, better, via);
      if constexpr (kWithCm) c = _mm512_mask_mov_epi64(c, better, _mm512_add_epi64(_mm512_loadu_si512(v.row_cm + t), _mm512_set1_epi64(v.cm)));
    }
    _mm512_storeu_si512(row_ms + t, r);
    if constexpr (kWithCm) _mm512_storeu_si512(row_cm + t, c);
  }
  relaxTail<kWithCm>(visits, visit_count, t, count, row_ms, row_cm);
}

template <bool kWithCm>
__attribute__((target("avx2"))) void relaxAvx2(const DenseVisit* visits, uint32_t visit_count, uint32_t count, int64_t* row_ms, int64_t* row_cm) {
  const __m256i none = _mm256_set1_epi64x(kNoDenseEntry), below_zero = _mm256_set1_epi64x(-1);
  uint32_t t = 0;
  for (; t + 4 <= count; t += 4) {
    __m256i r = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(row_ms + t));
    __m256i c = kWithCm ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(row_cm + t)) : _mm256_setzero_si256();
    for (uint32_t j = 0; j < visit_count; ++j) {
      const DenseVisit& v = visits[j];
      const __m256i e = _mm256_cvtepu32_epi64(_mm_loadu_si128(reinterpret_cast<const __m128i*>(v.row_ms + t)));
      const __m256i via = _mm256_add_epi64(e, _mm256_set1_epi64x(v.ms));
      // via < r, via >= 0 and an entry.
      const __m256i better =
          _mm256_andnot_si256(_mm256_cmpeq_epi64(e, none), _mm256_and_si256(_mm256_cmpgt_epi64(r, via), _mm256_cmpgt_epi64(via, below_zero)));
      r = _mm256_blendv_epi8(r, via, better);
      if constexpr (kWithCm) {
        const __m256i dc = _mm256_add_epi64(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(v.row_cm + t)), _mm256_set1_epi64x(v.cm));
        c = _mm256_blendv_epi8(c, dc, better);
      }
    }
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(row_ms + t), r);
    if constexpr (kWithCm) _mm256_storeu_si256(reinterpret_cast<__m256i*>(row_cm + t), c);
  }
  relaxTail<kWithCm>(visits, visit_count, t, count, row_ms, row_cm);
}
#endif

struct DenseKernels {
  RelaxFn without_cm, with_cm;
};

// The instruction set the sweep kernels chose (the CPU's widest, or WAYMARK_SIMD's).
DenseKernels chooseKernels() {
  const std::string isa = sweepLanesIsa();
#ifdef WAYMARK_DENSE_X86
  if (isa == "avx512f") return {relaxAvx512<false>, relaxAvx512<true>};
  if (isa == "avx2") return {relaxAvx2<false>, relaxAvx2<true>};
#endif
  return {relaxBaseline<false>, relaxBaseline<true>};
}

const DenseKernels& kernels() {
  static const DenseKernels chosen = chooseKernels();
  return chosen;
}

}  // namespace

void relaxDenseBuckets(const DenseVisit* visits, uint32_t visit_count, bool with_cm, uint32_t count, int64_t* row_ms, int64_t* row_cm) {
  if (visit_count == 0) return;
  (with_cm ? kernels().with_cm : kernels().without_cm)(visits, visit_count, count, row_ms, row_cm);
}

}  // namespace waymark
