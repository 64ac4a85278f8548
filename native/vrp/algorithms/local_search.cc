#include "vrp/algorithms/local_search.h"

#include <iterator>

#include "vrp/algorithms/clock.h"

namespace waymark::vrp {

void localSearch(const Problem& p, Solution& s, const Neighbors& nb, double deadline_s, const std::vector<uint8_t>* only,
                 const PenaltyWeights* penalty, bool verify) {
  MoveScratch m(p);
  m.verify = verify;
  m.only = only;
  m.penalty = penalty;
  m.deadline_s = deadline_s;
  using Op = bool (*)(const Problem&, Solution&, const Neighbors&, MoveScratch&);
  const Op ops[] = {relocate, swapTasks, twoOptStar, twoOpt, orOpt, crossExchange, swapStar, relocatePair};
  bool improved = true;
  while (improved && searchNow() < deadline_s) {
    improved = false;
    static_assert(std::size(ops) == MoveScratch::kOperators);
    for (uint32_t i = 0; i < MoveScratch::kOperators; ++i) {
      const Op op = ops[i];
      if (penalty && op == relocatePair) continue;
      m.op = i;
      while (searchNow() < deadline_s && op(p, s, nb, m)) improved = true;
    }
  }
}

}  // namespace waymark::vrp
