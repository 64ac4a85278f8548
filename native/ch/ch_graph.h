#pragma once
// The contraction hierarchy as it lies in a mapped map file (or in memory right after building):
// spans only. Section names live in ch_graph.cc for both writer and reader.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "ch/contraction.h"
#include "graph/map_file.h"

namespace waymark {

// The point-to-point search's view of the hierarchy, built in memory when a graph is opened (the map
// file keeps its flat arrays). Nodes get search ids in depth-first order from the top of the
// hierarchy down, so the nodes one upward search settles lie close together; each node's up arcs
// and then its down arcs are one block of (head, weight) pairs, so settling a node (stall test over
// one list, relaxation over the other) reads one or two cache lines of arcs. Distances and middles
// stay in CHGraph's arrays (ch_arc maps back), read only when a path is unpacked.
struct CHSearchArc {
  uint32_t head;  // search id
  uint32_t weight;
};
struct CHNodeArcs {
  uint32_t first;       // up arcs first..down_first, down arcs down_first..next node's first
  uint32_t down_first;
};
struct CHSearchGraph {
  std::vector<uint32_t> id_of_rank, rank_of_id;
  std::vector<CHNodeArcs> nodes;  // by search id, node count + 1
  std::vector<CHSearchArc> arcs;
  std::vector<uint32_t> ch_arc;    // index into CHGraph's up_* (up arcs) or down_* (down arcs)
  std::vector<uint32_t> arc_tail;  // search id of the node whose block holds the arc
};

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
  const CHSearchGraph& search() const { return *search_; }

 private:
  std::shared_ptr<const CHSearchGraph> search_;  // shared by copies of this view
  void buildSearchGraph();
};

void addCHSections(MapWriter& writer, const ContractionHierarchy& ch);

}  // namespace waymark
