// libFuzzer target: the VRP problem model at the C++ boundary. Arbitrary values fill arrays of the
// declared shapes (what the N-API seam accepts after its length checks); Problem::validate() must
// refuse what is inconsistent with an Error, and whatever it accepts must solve without faulting.
#include <cstddef>
#include <cstdint>
#include <limits>

#include <fuzzer/FuzzedDataProvider.h>

#include "common/error.h"
#include "vrp/algorithms/solver.h"

using namespace waymark::vrp;

namespace {

int64_t value(FuzzedDataProvider& in) {
  // Small values mostly (so that problems are feasible and the search runs), extremes sometimes.
  switch (in.ConsumeIntegralInRange<int>(0, 7)) {
    case 0: return in.ConsumeIntegralInRange<int64_t>(-1'000'000'000'000'000, 1'000'000'000'000'000);
    case 1: return 1'000'000'000'000'000;  // the largest value the N-API seam passes
    default: return in.ConsumeIntegralInRange<int64_t>(0, 1000);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  Problem p;
  p.dims = in.ConsumeIntegralInRange<uint32_t>(0, 2);
  p.locations = in.ConsumeIntegralInRange<uint32_t>(1, 6);
  const uint32_t L = p.locations;
  const uint32_t types = in.ConsumeIntegralInRange<uint32_t>(1, 2);
  for (uint32_t t = 0; t < types; ++t) {
    VehicleType vt;
    vt.locations = L;
    for (uint32_t i = 0; i < L * L; ++i) {
      const bool wild = in.ConsumeIntegralInRange<int>(0, 15) == 0;
      vt.duration.push_back(wild ? in.ConsumeIntegral<int32_t>() : in.ConsumeIntegralInRange<int32_t>(0, 100));
      vt.distance.push_back(wild ? in.ConsumeIntegral<int32_t>() : in.ConsumeIntegralInRange<int32_t>(0, 100));
      vt.cost.push_back(wild ? in.ConsumeIntegral<int32_t>() : in.ConsumeIntegralInRange<int32_t>(0, 100));
    }
    p.types.push_back(std::move(vt));
  }
  const uint32_t T = in.ConsumeIntegralInRange<uint32_t>(0, 8);
  p.tw_first.push_back(0);
  p.skill_first.push_back(0);
  for (uint32_t t = 0; t < T; ++t) {
    p.kind.push_back(static_cast<TaskKind>(in.ConsumeIntegralInRange<int>(0, 2)));
    p.location.push_back(in.ConsumeIntegralInRange<uint32_t>(0, L + (in.ConsumeBool() ? 1 : 0) - 1 + 1) % (L + 1));
    p.service.push_back(value(in));
    p.setup.push_back(value(in));
    const uint32_t windows = in.ConsumeIntegralInRange<uint32_t>(1, 2);
    for (uint32_t w = 0; w < windows; ++w) {
      const int64_t a = value(in), b = value(in);
      p.tw.push_back({std::min(a, b), std::max(a, b)});
    }
    p.tw_first.push_back(static_cast<uint32_t>(p.tw.size()));
    for (uint32_t d = 0; d < p.dims; ++d) {
      p.delivery.push_back(value(in));
      p.pickup.push_back(value(in));
    }
    if (in.ConsumeBool()) p.skills.push_back(in.ConsumeIntegralInRange<uint32_t>(0, 3));
    p.skill_first.push_back(static_cast<uint32_t>(p.skills.size()));
    p.priority.push_back(in.ConsumeIntegralInRange<int64_t>(-5, 105));
    p.partner.push_back(in.ConsumeIntegralInRange<int32_t>(-1, static_cast<int32_t>(T)));
  }
  const uint32_t V = in.ConsumeIntegralInRange<uint32_t>(1, 3);
  p.vskill_first.push_back(0);
  p.break_first.push_back(0);
  p.break_tw_first.push_back(0);
  for (uint32_t v = 0; v < V; ++v) {
    p.vehicle_type.push_back(in.ConsumeIntegralInRange<uint32_t>(0, types));  // one past the end sometimes
    p.start.push_back(in.ConsumeIntegralInRange<int32_t>(-1, static_cast<int32_t>(L)));
    p.end.push_back(in.ConsumeIntegralInRange<int32_t>(-1, static_cast<int32_t>(L)));
    for (uint32_t d = 0; d < p.dims; ++d) p.capacity.push_back(value(in));
    if (in.ConsumeBool()) p.vskills.push_back(in.ConsumeIntegralInRange<uint32_t>(0, 3));
    p.vskill_first.push_back(static_cast<uint32_t>(p.vskills.size()));
    const int64_t a = value(in), b = value(in);
    p.vtw.push_back({std::min(a, b), std::max(a, b)});
    if (in.ConsumeIntegralInRange<int>(0, 3) == 0) {
      const int64_t s = value(in), e = value(in);
      p.break_tw.push_back({std::min(s, e), std::max(s, e)});
      p.break_tw_first.push_back(static_cast<uint32_t>(p.break_tw.size()));
      p.break_service.push_back(value(in));
    }
    p.break_first.push_back(static_cast<uint32_t>(p.break_service.size()));
    p.max_tasks.push_back(in.ConsumeBool() ? kNoLimit : value(in));
    p.max_travel_time.push_back(in.ConsumeBool() ? kNoLimit : value(in));
    p.max_distance.push_back(in.ConsumeBool() ? kNoLimit : value(in));
    p.fixed_cost.push_back(value(in));
  }
  try {
    p.validate();
  } catch (const waymark::Error&) {
    return 0;  // refused with a code: the boundary did its job
  }
  SolveOptions options;
  options.time_limit_s = 1;
  options.threads = 1;
  options.max_iterations = 20;
  options.seed = in.ConsumeIntegral<uint8_t>();
  try {
    const SolveResult r = solve(p, options);
    (void)r;
  } catch (const waymark::Error&) {
  }
  return 0;
}
