#pragma once
// Phase timings a native call reports back with its result when asked (options.timings): the
// worker thread turns them into trace spans. Offsets are microseconds since the call began, on the
// steady clock, so the JS side anchors them to its own clock reading taken just before the call.
#include <chrono>

namespace waymark {

struct Phase {
  double start_us = 0;
  double duration_us = 0;
};

class PhaseClock {
 public:
  double elapsedMicros() const { return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - origin_).count(); }

  // Runs fn, recording when it began and how long it took.
  template <typename F>
  auto time(Phase& phase, F&& fn) {
    phase.start_us = elapsedMicros();
    struct Stop {
      const PhaseClock& clock;
      Phase& phase;
      ~Stop() { phase.duration_us = clock.elapsedMicros() - phase.start_us; }
    } stop{*this, phase};
    return fn();
  }

 private:
  std::chrono::steady_clock::time_point origin_ = std::chrono::steady_clock::now();
};

}  // namespace waymark
