#pragma once
// Bidirectional CH query with stall-on-demand, on any CHGraph (mapped or in memory). One CHQuery is
// scratch space for one thread; the graph itself is read-only and shared.
//
// Endpoints carry offsets because routes start and end partway along a segment: a source's label is
// the (possibly negative) cost of reaching the segment's start, a target's the cost from its start to
// the snapped point. Sources and targets are several (both directions of a snapped road).
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "ch/ch_graph.h"
#include "ch/label_heap.h"

namespace waymark {

struct SearchEndpoint {
  uint32_t node;  // input node (segment); the query maps it to its hierarchy node
  int64_t offset_ms;
  int64_t offset_cm;
};

struct CHResult {
  bool found = false;
  int64_t duration_ms = 0;
  int64_t distance_cm = 0;
  uint32_t meeting = 0;  // hierarchy node (rank)
};

class CHQuery {
 public:
  explicit CHQuery(uint32_t node_count);
  // Shortest path from any source to any target. Only paths cheaper than `bound_ms` are reported.
  CHResult run(const CHGraph& ch, std::span<const SearchEndpoint> sources, std::span<const SearchEndpoint> targets,
               int64_t bound_ms = std::numeric_limits<int64_t>::max());
  // The input nodes (segments) of the last path found, from its source to its target.
  std::vector<uint32_t> path(const CHGraph& ch) const;

  // For via-node alternatives: both upward searches explored in full (no stalling, no early stop)
  // up to `limit_ms`, then every node reached from both sides with the cost of the up-down path
  // through it (at most limit_ms), cheapest first. pathVia() unpacks the path through one of them.
  struct Meeting {
    uint32_t node;  // hierarchy node
    int64_t duration_ms;
    int64_t distance_cm;
  };
  std::vector<Meeting> explore(const CHGraph& ch, std::span<const SearchEndpoint> sources, std::span<const SearchEndpoint> targets,
                               int64_t limit_ms);
  std::vector<uint32_t> pathVia(const CHGraph& ch, uint32_t meeting) const;
  uint64_t settled() const { return settled_; }

 private:
  // Both searches' labels of a node in one 32-byte record (search ids, see CHSearchGraph): settling a
  // node reads the other side's label from the same cache line. Distances are summed from the arcs
  // of the path found, not carried along every relaxation. The heaps are lazy (an entry whose key
  // is above its node's label is stale), so labels need no heap positions.
  struct Label {
    int64_t dist[2];         // kUnreached if that side has not reached the node
    uint32_t parent_arc[2];  // search arc into the node, kNoArc at a seed
    uint32_t stamp;          // labels of earlier queries are stale
    uint32_t unused;
  };
  struct HeapEntry {
    int64_t key;
    uint32_t node;
  };
  struct Seed {
    uint32_t node;  // search id
    int64_t cm;
  };
  struct Search;
  template <int kSide>
  void settle(const CHSearchGraph& g, Search& s);
  void reset();
  Label& touch(uint32_t node);
  void seed(const CHSearchGraph& g, const CHGraph& ch, int side, const SearchEndpoint& e, int64_t label);
  void push(int side, uint32_t node, int64_t key);
  void removeTop(int side);
  // The smallest live key of a side (kUnreached if none), after which popMin takes its node.
  int64_t minKey(int side);
  uint32_t popMin(int side, int64_t& key);
  // cm of the path from a seed to search node `node` on one side.
  int64_t pathCm(const CHSearchGraph& g, const CHGraph& ch, int side, uint32_t node) const;

  std::vector<Label> labels_;
  std::vector<HeapEntry> heap_[2];
  std::vector<Seed> seeds_[2];
  uint32_t stamp_ = 0;
  CHResult last_;
  uint32_t last_meeting_id_ = 0;
  uint64_t settled_ = 0;
};

// Appends the original segments of CH arc tail -> head (whose middle is `middle`), excluding tail.
void unpackArc(const CHGraph& ch, uint32_t tail, uint32_t head, uint32_t middle, std::vector<uint32_t>& out);

}  // namespace waymark
