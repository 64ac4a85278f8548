#include "vrp/structures/population.h"

#include <algorithm>
#include <numeric>

namespace waymark::vrp {

double Population::distance(const Individual& a, const Individual& b) const {
  const uint32_t T = p_.taskCount();
  if (T == 0) return 0;
  uint32_t broken = 0;
  for (uint32_t t = 0; t < T; ++t) {
    if (a.succ[t] == kUnserved || b.succ[t] == kUnserved) {
      broken += a.succ[t] != b.succ[t];
      continue;
    }
    // Symmetric: a pair kept in either direction is not broken (Prins's broken pairs).
    const bool succ_kept = a.succ[t] == b.succ[t] || a.succ[t] == b.pred[t];
    const bool pred_kept = a.pred[t] == b.pred[t] || a.pred[t] == b.succ[t];
    broken += !succ_kept || !pred_kept;
  }
  return double(broken) / T;
}

bool Population::add(const Solution& s) {
  Individual ind;
  ind.solution = s;
  const uint32_t T = p_.taskCount();
  ind.pred.assign(T, kUnserved);
  ind.succ.assign(T, kUnserved);
  for (const auto& route : s.routes)
    for (size_t i = 0; i < route.size(); ++i) {
      ind.pred[route[i]] = i == 0 ? kNone : int32_t(route[i - 1]);
      ind.succ[route[i]] = i + 1 == route.size() ? kNone : int32_t(route[i + 1]);
    }
  const bool improves = individuals_.empty() || score(s) < score(best());
  individuals_.push_back(std::move(ind));
  if (improves) best_ = individuals_.size() - 1;
  if (individuals_.size() >= size_t(params_.mu) + params_.lambda)
    while (individuals_.size() > params_.mu) removeWorst();
  return improves;
}

void Population::updateFitness() {
  const size_t n = individuals_.size();
  if (n == 0) return;
  // Diversity: mean distance to the `close` nearest others.
  std::vector<double> d;
  for (size_t i = 0; i < n; ++i) {
    d.clear();
    for (size_t j = 0; j < n; ++j)
      if (j != i) d.push_back(distance(individuals_[i], individuals_[j]));
    const size_t k = std::min<size_t>(params_.close, d.size());
    std::partial_sort(d.begin(), d.begin() + k, d.end());
    individuals_[i].diversity = k ? std::accumulate(d.begin(), d.begin() + k, 0.0) / k : 0;
  }
  if (n == 1) {
    individuals_[0].biased_fitness = 0;
    return;
  }
  std::vector<size_t> by_cost(n), by_diversity(n);
  std::iota(by_cost.begin(), by_cost.end(), 0);
  std::iota(by_diversity.begin(), by_diversity.end(), 0);
  std::stable_sort(by_cost.begin(), by_cost.end(), [&](size_t a, size_t b) { return score(individuals_[a].solution) < score(individuals_[b].solution); });
  std::stable_sort(by_diversity.begin(), by_diversity.end(), [&](size_t a, size_t b) { return individuals_[a].diversity > individuals_[b].diversity; });
  std::vector<double> cost_rank(n), diversity_rank(n);
  for (size_t r = 0; r < n; ++r) {
    cost_rank[by_cost[r]] = double(r) / double(n - 1);
    diversity_rank[by_diversity[r]] = double(r) / double(n - 1);
  }
  const double weight = 1.0 - std::min(1.0, double(params_.elite) / double(n));
  for (size_t i = 0; i < n; ++i) individuals_[i].biased_fitness = cost_rank[i] + weight * diversity_rank[i];
}

void Population::removeWorst() {
  updateFitness();
  // A clone (distance 0 to another, kept: the other) goes first; then the worst biased fitness.
  size_t worst = individuals_.size();
  bool worst_is_clone = false;
  for (size_t i = 0; i < individuals_.size(); ++i) {
    if (i == best_) continue;
    bool clone = false;
    for (size_t j = 0; j < individuals_.size() && !clone; ++j)
      clone = j != i && score(individuals_[i].solution) >= score(individuals_[j].solution) && distance(individuals_[i], individuals_[j]) == 0;
    if (worst == individuals_.size() || (clone && !worst_is_clone) ||
        (clone == worst_is_clone && individuals_[i].biased_fitness > individuals_[worst].biased_fitness)) {
      worst = i;
      worst_is_clone = clone;
    }
  }
  if (worst == individuals_.size()) return;
  individuals_.erase(individuals_.begin() + worst);
  if (best_ > worst) --best_;
}

const Solution& Population::select(Rng& rng) {
  updateFitness();
  std::uniform_int_distribution<size_t> any(0, individuals_.size() - 1);
  const size_t a = any(rng), b = any(rng);
  return individuals_[individuals_[a].biased_fitness <= individuals_[b].biased_fitness ? a : b].solution;
}

void Population::keepBestOnly() {
  Individual keep = std::move(individuals_[best_]);
  individuals_.clear();
  individuals_.push_back(std::move(keep));
  best_ = 0;
}

}  // namespace waymark::vrp
