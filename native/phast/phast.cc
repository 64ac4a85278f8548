#include "phast/phast.h"

#include <algorithm>

namespace waymark {

Phast::Phast(uint32_t node_count) : label_(node_count), upward_(node_count) {}

void Phast::run(const CHGraph& ch, PhastDirection direction, std::span<const SearchEndpoint> seeds) {
  std::fill(label_.begin(), label_.end(), Label{kPhastUnreached, 0});
  const bool forward = direction == PhastDirection::kForward;
  upward_settled_ = 0;
  // Settled, unstalled nodes keep their upward label; a stalled one has a shorter way in from above
  // that the sweep finds.
  upward_.run(ch, forward, seeds, [&](uint32_t u, int64_t ms, int64_t cm) {
    label_[u] = {ms, cm};
    ++upward_settled_;
  });
  // Forward: arcs x -> v stored at v (down graph); reverse: arcs v -> x stored at v (up graph). In
  // both, x ranks above v, so x is final when v is swept.
  const auto& first = forward ? ch.down_first : ch.up_first;
  const auto& head = forward ? ch.down_head : ch.up_head;
  const auto& weight = forward ? ch.down_weight : ch.up_weight;
  const auto& distance = forward ? ch.down_distance : ch.up_distance;
  Label* label = label_.data();
  for (uint32_t v = ch.nodeCount(); v-- > 0;) {
    Label best = label[v];
    for (uint32_t i = first[v], end = first[v + 1]; i < end; ++i) {
      const Label& x = label[head[i]];
      if (x.ms == kPhastUnreached) continue;
      const int64_t d = x.ms + weight[i];
      if (d < best.ms) best = {d, x.cm + distance[i]};
    }
    label[v] = best;
  }
}

}  // namespace waymark
