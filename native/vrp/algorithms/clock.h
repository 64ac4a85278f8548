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

// The process's CPU clock is a system call that sums the run time of every thread (a twentieth of
// a 2 s replan's samples at one reading per eight SISR iterations; `perf`, README issue 20), so a
// thread reads it at most once per kCpuClockReuse wall seconds and gives its last reading in
// between: a CPU budget then ends at most that much late. The wall clock is read in user space.
inline constexpr double kCpuClockReuse = 0.5e-3;
struct CpuClockReading {
  double wall = -1;  // when it was read (wall seconds)
  double cpu = 0;    // the process's CPU seconds then
};
inline thread_local CpuClockReading last_cpu_clock_reading;

inline double searchNow() {
  if (search_clock_cpu_threads == 0) return wallSeconds();
  CpuClockReading& last = last_cpu_clock_reading;
  const double wall = wallSeconds();
  if (wall - last.wall >= kCpuClockReuse) {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    last.wall = wall;
    last.cpu = double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
  }
  return last.cpu / search_clock_cpu_threads;
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
