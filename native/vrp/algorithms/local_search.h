#pragma once
#include "vrp/algorithms/moves.h"

namespace waymark::vrp {

// Applies the operators until none improves (or the deadline passes): one operator set serves
// every variant, since feasibility is always the exact route evaluation.
void localSearch(const Problem& p, Solution& s, const Neighbors& nb, double deadline_s);

}  // namespace waymark::vrp
