#pragma once
// The search's clock: steady wall-clock seconds, or, for load-independent benchmarks, the
// process's CPU seconds divided by the solve's thread count (a 30 s limit on 2 threads is then 60
// CPU-seconds, as on a quiet 2-core machine, however many other processes share the cores). The
// mode is per thread: the solver sets it on its own thread and on every search thread it starts,
// so concurrent solves in one process (worker threads) keep their own clocks.
#include <chrono>
#include <ctime>

namespace waymark::vrp {

inline thread_local unsigned search_clock_cpu_threads = 0;  // 0: wall clock

inline double wallSeconds() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

inline double searchNow() {
  if (search_clock_cpu_threads == 0) return wallSeconds();
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9) / search_clock_cpu_threads;
}

// Sets this thread's clock for a scope (restores the previous mode on exit).
class ScopedSearchClock {
 public:
  explicit ScopedSearchClock(unsigned cpu_threads) : saved_(search_clock_cpu_threads) { search_clock_cpu_threads = cpu_threads; }
  ~ScopedSearchClock() { search_clock_cpu_threads = saved_; }
  ScopedSearchClock(const ScopedSearchClock&) = delete;
  ScopedSearchClock& operator=(const ScopedSearchClock&) = delete;

 private:
  unsigned saved_;
};

}  // namespace waymark::vrp
