#pragma once
// parallelFor: runs body(i, thread_index) for i in [0, n) on `threads` threads, in small dynamic
// chunks so uneven work balances out. threads <= 1 runs inline.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <thread>
#include <vector>

namespace waymark {

inline unsigned defaultThreadCount() { return std::max(1u, std::thread::hardware_concurrency()); }

template <typename Body>
void parallelFor(uint64_t n, unsigned threads, Body&& body, uint64_t chunk = 64) {
  if (threads <= 1 || n <= chunk) {
    for (uint64_t i = 0; i < n; ++i) body(i, 0u);
    return;
  }
  std::atomic<uint64_t> next{0};
  std::exception_ptr error;
  std::atomic<bool> failed{false};
  auto run = [&](unsigned t) {
    try {
      for (;;) {
        const uint64_t begin = next.fetch_add(chunk);
        if (begin >= n || failed.load(std::memory_order_relaxed)) return;
        const uint64_t end = std::min(n, begin + chunk);
        for (uint64_t i = begin; i < end; ++i) body(i, t);
      }
    } catch (...) {
      if (!failed.exchange(true)) error = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(run, t);
  run(0);
  for (auto& th : pool) th.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace waymark
