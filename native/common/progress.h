#pragma once
// Long native steps report progress through this callback: step name, units done, units in total.
// It is called from the working thread; the binding forwards it to JS without blocking.
#include <cstdint>
#include <functional>

namespace waymark {

using ProgressFn = std::function<void(const char* step, uint64_t done, uint64_t total)>;

inline void reportProgress(const ProgressFn& fn, const char* step, uint64_t done, uint64_t total) {
  if (fn) fn(step, done, total);
}

}  // namespace waymark
