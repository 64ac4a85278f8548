#pragma once
// Dense buckets: the nodes near the top of the hierarchy are reached by most targets' backward
// searches and scanned by most sources' forward searches, so their buckets hold an entry for most
// targets. Stored as one duration per target of the block (kNoDenseEntry where the target's search
// did not reach the node), the dense buckets a forward search settled are relaxed into its row
// together after the search, a few targets at a time in vector registers, instead of one entry at a
// time (on region64 5000², about 60 such nodes held three quarters of the entries the sources
// scanned). Compiled for AVX-512, AVX2 and baseline x86-64, picked like the RPHAST sweep
// (rphast_sweep.h: the CPU's widest, or WAYMARK_SIMD's).
#include <cstdint>

namespace waymark {

constexpr uint32_t kNoDenseEntry = 0xFFFFFFFFu;

// A dense bucket a forward search settled: its row (and distances, or null) and the search's labels.
struct DenseVisit {
  const uint32_t* row_ms;
  const int64_t* row_cm;
  int64_t ms, cm;
};

// For t < count, for each visit v in order where v.row_ms[t] != kNoDenseEntry and
// 0 <= v.ms + v.row_ms[t] < row_ms[t]: row_ms[t] becomes that sum and, with distances (every
// visit's row_cm given), row_cm[t] becomes v.cm + v.row_cm[t].
void relaxDenseBuckets(const DenseVisit* visits, uint32_t visit_count, bool with_cm, uint32_t count, int64_t* row_ms, int64_t* row_cm);

}  // namespace waymark
