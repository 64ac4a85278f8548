#pragma once
// The contraction hierarchy as it lies in a mapped map file (or in memory right after building):
// spans only. Section names live in ch_graph.cc for both writer and reader.
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "ch/contraction.h"
#include "graph/map_file.h"
#include "transit/transit_table.h"

namespace waymark {

// The point-to-point query's view of the hierarchy (built in memory on the first query, so that
// matrix-only use does not pay for it): per hierarchy node one block holding its up arcs and then
// its down arcs as packed (head, weight) pairs. A query that settles a node reads both lists (one
// to relax, the other for stall-on-demand), which were five separate arrays in the file's layout:
// a cold query is bound by cache misses, not instructions. Distances and middles are read through
// `origin` only for the arcs of the path found.
struct CHQueryArc {
  uint32_t head;
  uint32_t weight;
};
//
// The layout has its own node ids (query ids), a permutation of the hierarchy's: see
// queryNodeOrder() in ch_graph.cc for why and how. The transit table's core (the highest nodes)
// takes the last ids, in rank order, so that "is u in the core" is one comparison.
struct CHQueryLayout {
  std::vector<uint32_t> first;  // 2 per node + 1: up arcs first[2v]..first[2v+1], down first[2v+1]..first[2v+2]
  std::vector<CHQueryArc> arcs;  // heads are query ids
  std::vector<uint32_t> origin;  // per arc: its index in CHGraph's up_* arrays (up arcs) or down_* arrays
  std::vector<uint32_t> node;        // query id -> hierarchy node
  std::vector<uint32_t> query_node;  // input node (segment) -> query id
  TransitTable transit;
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
  // Built once on first use, shared by every copy of this view and every thread.
  const CHQueryLayout& queryLayout() const;

 private:
  struct LazyLayout {
    std::once_flag once;
    CHQueryLayout layout;
  };
  std::shared_ptr<LazyLayout> query_layout_ = std::make_shared<LazyLayout>();
};

void addCHSections(MapWriter& writer, const ContractionHierarchy& ch);

}  // namespace waymark
