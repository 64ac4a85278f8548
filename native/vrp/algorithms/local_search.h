#pragma once
#include "vrp/algorithms/moves.h"

namespace waymark::vrp {

// Applies the operators until none improves (or the deadline passes): one operator set serves
// every variant; moves are judged in O(1) from route segments where those are exact
// (RouteSegments::fast), by the exact route evaluation elsewhere.
// `only`: move only the tasks marked 1 (their partners in a move may be any task).
// `penalty`: s is soft and moves are judged on the penalised cost (MoveScratch::penalty); the
// shipment-pair relocation, which judges by the plain objective, is then left out.
// `verify` (tests): every segment answer is checked against the exact evaluation (throws Internal).
void localSearch(const Problem& p, Solution& s, const Neighbors& nb, double deadline_s, const std::vector<uint8_t>* only = nullptr,
                 const PenaltyWeights* penalty = nullptr, bool verify = false);

}  // namespace waymark::vrp
