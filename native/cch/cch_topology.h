#pragma once
// The metric-independent part of a customizable contraction hierarchy (Dibbelt, Strasser, Wagner):
// a nested-dissection order of the edge-based graph (segments, with turns taken undirected), the
// chordal supergraph that eliminating the nodes in that order produces, its elimination tree, and
// for every turn of the edge-based graph the CCH arc whose weight it feeds. Built with the map and
// stored in it (sections cch_*); CCHTopology is spans over the file or over CCHTopologyData.
//
// Nodes are numbered by rank. Arc a joins tail(a) < head(a): arcs are stored at their lower end,
// heads ascending (up_first / up_head); down_first / down_tail / down_arc list the same arcs at
// their upper end, tails ascending. Each arc has two directions: up (tail -> head) and down.
#include <cstdint>
#include <span>
#include <vector>

#include "graph/edge_based_map.h"
#include "graph/map_file.h"
#include "graph/road_map.h"

namespace waymark {

constexpr uint32_t kNoCCHArc = 0xFFFFFFFFu;      // a turn from a segment to itself: feeds no arc
constexpr uint32_t kNoTreeParent = 0xFFFFFFFFu;  // a root of the elimination tree

// turn_arc entries: arc * 2 + direction.
inline uint32_t cchArcCode(uint32_t arc, bool down) { return arc * 2 + (down ? 1 : 0); }

struct CCHTopologyData {
  std::vector<uint32_t> rank;   // segment -> node
  std::vector<uint32_t> order;  // node -> segment
  std::vector<uint32_t> up_first, up_head;
  std::vector<uint32_t> down_first, down_tail, down_arc;
  std::vector<uint32_t> parent;    // elimination tree: lowest upper neighbour, or kNoTreeParent
  std::vector<uint32_t> turn_arc;  // per turn of the edge-based graph (its CSR order)
};

struct CCHTopology {
  std::span<const uint32_t> rank, order;
  std::span<const uint32_t> up_first, up_head;
  std::span<const uint32_t> down_first, down_tail, down_arc;
  std::span<const uint32_t> parent;
  std::span<const uint32_t> turn_arc;

  CCHTopology() = default;
  explicit CCHTopology(const CCHTopologyData& d);
  // Checks the structure against the edge-based graph it belongs to: MapCorrupt if inconsistent.
  CCHTopology(const MappedMap& map, const EdgeBasedView& eb);
  uint32_t nodeCount() const { return static_cast<uint32_t>(rank.size()); }
  uint32_t arcCount() const { return static_cast<uint32_t>(up_head.size()); }
  bool empty() const { return rank.empty(); }
};

struct CCHBuildOptions {
  unsigned threads = 0;  // 0 = all cores
};

// The graph nested dissection cuts: the turns taken undirected (symmetric CSR, no loops or
// duplicates) and a planar position per segment.
struct CCHDissectionGraph {
  std::vector<uint32_t> first, head;
  std::vector<double> x, y;
};
CCHDissectionGraph cchDissectionGraph(const EdgeBasedView& eb, const RoadMap& road);

CCHTopologyData buildCCHTopology(const EdgeBasedView& eb, const RoadMap& road, const CCHBuildOptions& options);

// Longest root-to-leaf path of the elimination tree, in nodes.
uint32_t eliminationTreeHeight(const CCHTopology& t);
// Bytes the topology takes in the map file.
uint64_t topologyBytes(const CCHTopology& t);

void addCCHSections(MapWriter& writer, const CCHTopologyData& d);

}  // namespace waymark
