#include "vrp/algorithms/local_search.h"

#include <chrono>

namespace waymark::vrp {

namespace {
double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
}  // namespace

void localSearch(const Problem& p, Solution& s, const Neighbors& nb, double deadline_s, const std::vector<uint8_t>* only) {
  MoveScratch m(p);
  m.only = only;
  m.deadline_s = deadline_s;
  using Op = bool (*)(const Problem&, Solution&, const Neighbors&, MoveScratch&);
  const Op ops[] = {relocate, swapTasks, twoOptStar, twoOpt, orOpt, crossExchange, swapStar, relocatePair};
  bool improved = true;
  while (improved && now() < deadline_s) {
    improved = false;
    for (Op op : ops) {
      while (now() < deadline_s && op(p, s, nb, m)) improved = true;
    }
  }
}

}  // namespace waymark::vrp
