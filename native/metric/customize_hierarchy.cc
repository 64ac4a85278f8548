#include "metric/customize_hierarchy.h"

#include <algorithm>
#include <limits>

#include "cch/customize.h"
#include "graph/road_graph.h"

namespace waymark {

ContractionHierarchy customizeHierarchy(const LoadedMap& base, std::span<const uint32_t> arc_weight,
                                        std::span<const uint32_t> arc_distance, unsigned threads) {
  CustomizeOptions options;
  options.threads = threads;
  return customizeCCH(base.cch, arc_weight, arc_distance, options);
}

namespace {
// The cheapest open turn arc tail -> head (input nodes), as the hierarchy's original arc stands for it.
uint32_t originalArc(const EdgeBasedView& eb, std::span<const uint32_t> arc_weight, uint32_t tail, uint32_t head) {
  uint32_t best = kNoSegment;
  for (uint32_t i = eb.turn_first[tail]; i < eb.turn_first[tail + 1]; ++i)
    if (eb.turn_head[i] == head && arc_weight[i] != kNotAllowed && (best == kNoSegment || arc_weight[i] < arc_weight[best])) best = i;
  return best;
}
}  // namespace

void accumulateAlongArcs(const ContractionHierarchy& ch, const EdgeBasedView& eb, std::span<const uint32_t> arc_weight,
                         std::span<const uint32_t> arc_value, std::vector<uint32_t>& up_value, std::vector<uint32_t>& down_value) {
  const uint32_t n = static_cast<uint32_t>(ch.rank.size());
  up_value.assign(ch.up_head.size(), 0);
  down_value.assign(ch.down_head.size(), 0);
  auto clamp = [](uint64_t v) { return static_cast<uint32_t>(std::min<uint64_t>(v, std::numeric_limits<uint32_t>::max() - 1)); };
  // Arcs stored at v are shortcuts through middles of lower rank, whose own arcs are stored at the
  // middle: in increasing rank order, the halves of every shortcut are done before it.
  // (Unpacking picks the first arc with the wanted head, as unpackArc does.)
  auto downArc = [&](uint32_t at, uint32_t head) {
    for (uint32_t i = ch.down_first[at]; i < ch.down_first[at + 1]; ++i)
      if (ch.down_head[i] == head) return i;
    return kNoSegment;
  };
  auto upArc = [&](uint32_t at, uint32_t head) {
    for (uint32_t i = ch.up_first[at]; i < ch.up_first[at + 1]; ++i)
      if (ch.up_head[i] == head) return i;
    return kNoSegment;
  };
  for (uint32_t v = 0; v < n; ++v) {
    for (uint32_t i = ch.up_first[v]; i < ch.up_first[v + 1]; ++i) {  // v -> x
      const uint32_t x = ch.up_head[i], m = ch.up_middle[i];
      if (m == kNoMiddle) {
        const uint32_t a = originalArc(eb, arc_weight, ch.input_node[v], ch.input_node[x]);
        up_value[i] = a == kNoSegment ? 0 : arc_value[a];
      } else {
        const uint32_t first = downArc(m, v), second = upArc(m, x);
        up_value[i] = clamp(uint64_t(first == kNoSegment ? 0 : down_value[first]) + (second == kNoSegment ? 0 : up_value[second]));
      }
    }
    for (uint32_t i = ch.down_first[v]; i < ch.down_first[v + 1]; ++i) {  // x -> v
      const uint32_t x = ch.down_head[i], m = ch.down_middle[i];
      if (m == kNoMiddle) {
        const uint32_t a = originalArc(eb, arc_weight, ch.input_node[x], ch.input_node[v]);
        down_value[i] = a == kNoSegment ? 0 : arc_value[a];
      } else {
        const uint32_t first = downArc(m, x), second = upArc(m, v);
        down_value[i] = clamp(uint64_t(first == kNoSegment ? 0 : down_value[first]) + (second == kNoSegment ? 0 : up_value[second]));
      }
    }
  }
}

}  // namespace waymark
