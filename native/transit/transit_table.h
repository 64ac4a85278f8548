#pragma once
// Transit-node table over a contraction hierarchy (CH-based transit node routing: Arz, Luxen,
// Sanders 2013, "Transit Node Routing Reconsidered", without its locality filter). The K highest
// nodes of the hierarchy are the core; the table holds, for every ordered pair of core nodes, the
// shortest duration between them, the distance along that path and the path's last hop. A
// point-to-point query then searches upwards only below the core: a core node it reaches is not
// expanded but met with the other side's core nodes through the table. On malta 90 of the 130 nodes
// a query settled lay in the top 1,024 ranks, each with many arcs.
//
// Exact: the shortest up-down path either stays below the core (the pruned searches meet as
// before), or its first core node f on the way up and its last core node b on the way down are
// reached by the pruned searches with their true distances, and the table gives f to b.
#include <cstdint>
#include <vector>

namespace waymark {

struct CHGraph;
struct CHQueryLayout;

constexpr uint32_t kNoTransitPath = 0xFFFFFFFFu;
constexpr uint16_t kTransitDownHop = 0x8000u;  // last_hop's flag: the hop is a down arc

struct TransitTable {
  uint32_t size = 0;   // K core nodes; 0: no table (small graphs), every query searches in full
  uint32_t first = 0;  // query id of the lowest core node; core node j is query id first + j, hierarchy node n - K + j
  std::vector<uint32_t> duration_ms;  // [from * K + to]; kNoTransitPath when there is no path
  std::vector<uint32_t> distance_cm;  // along the path the table's duration belongs to
  // The core node before `to` on that path (core index), kTransitDownHop set when the hop from it is
  // a down arc (an original arc from the higher node to the lower), clear for an up arc.
  std::vector<uint16_t> last_hop;
};

// How many of a hierarchy's n nodes form the core: n / 16 up to 1,024 (4 + 4 + 2 bytes per pair:
// 10 MB at 1,024), none below 1,024 nodes (the bundled Monaco, 1,766 segments, has a core of 110).
uint32_t transitCoreSize(uint32_t node_count);

// The table for a layout whose core (the top `core_size` hierarchy nodes, by rank) holds the query ids
// from n - core_size on, in rank order. One PHAST-style sweep per core node over the core's arcs (up
// in rank order, then down): O(K x core arcs). A distance that would not fit 32 bits leaves no table.
TransitTable buildTransitTable(const CHGraph& ch, const CHQueryLayout& layout, uint32_t core_size);

}  // namespace waymark
