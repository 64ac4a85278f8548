#pragma once
// Transparent huge pages for big, freshly allocated buffers. Where the kernel hands them out on
// request only (THP "madvise", the usual default), a 400 MB buffer otherwise costs 100,000 page
// faults when first written, which on a virtual machine takes longer than the work that fills it.
#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace waymark {

inline void adviseHugePages(const void* data, size_t bytes) {
#ifdef MADV_HUGEPAGE
  constexpr uintptr_t kHugePage = uintptr_t(2) << 20;
  if (bytes < 4 * kHugePage) return;
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(data) + kHugePage - 1) & ~(kHugePage - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(data) + bytes) & ~(kHugePage - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);  // advice only: failure is harmless
#else
  (void)data;
  (void)bytes;
#endif
}

// Reserves room for n elements of an empty vector before anything is written to it.
template <typename T>
void reserveHugePages(std::vector<T>& v, size_t n) {
  v.reserve(n);
  adviseHugePages(v.data(), n * sizeof(T));
}

}  // namespace waymark
