#pragma once
// The contraction hierarchy as it lies in a mapped map file (or in memory right after building):
// spans only. Section names live in ch_graph.cc for both writer and reader.
#include <cstdint>
#include <span>

#include "ch/contraction.h"
#include "graph/map_file.h"

namespace waymark {

struct CHGraph {
  std::span<const uint32_t> rank;        // input node (segment) -> hierarchy node
  std::span<const uint32_t> input_node;  // hierarchy node -> input node (segment)
  std::span<const uint32_t> up_first, up_head, up_weight, up_distance, up_middle;
  std::span<const uint32_t> down_first, down_head, down_weight, down_distance, down_middle;

  CHGraph() = default;
  explicit CHGraph(const ContractionHierarchy& ch);
  explicit CHGraph(const MappedMap& map);
  uint32_t nodeCount() const { return static_cast<uint32_t>(rank.size()); }
  uint64_t arcCount() const { return up_head.size() + down_head.size(); }
};

void addCHSections(MapWriter& writer, const ContractionHierarchy& ch);

}  // namespace waymark
