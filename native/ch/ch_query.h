#pragma once
// Bidirectional CH query with stall-on-demand, on any CHGraph (mapped or in memory). One CHQuery is
// scratch space for one thread; the graph itself is read-only and shared.
//
// Endpoints carry offsets because routes start and end partway along a segment: a source's label is
// the (possibly negative) cost of reaching the segment's start, a target's the cost from its start to
// the snapped point. Sources and targets are several (both directions of a snapped road).
#include <cstdint>
#include <limits>
#include <memory>
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

// What one run() did, for benchmarks that compare work rather than wall time on a shared machine:
// nodes settled (stalled ones included) and of them stalled, arcs read by stall-on-demand tests,
// arcs scanned for relaxation, labels pushed.
// With a transit table: labels given to core nodes (which are not settled), table entries read, and
// answers whose path goes through the table (a search that ends in one of them counts 1).
struct CHSearchCounts {
  uint64_t settled = 0, stalled = 0, stall_arcs = 0, relax_arcs = 0, pushes = 0, core_labels = 0, core_pairs = 0, core_paths = 0;
};

struct CHResult {
  bool found = false;
  int64_t duration_ms = 0;
  int64_t distance_cm = 0;
  uint32_t meeting = 0;
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
  const CHSearchCounts& counts() const { return counts_; }  // of the last run()

 private:
  // run()'s labels (indexed by the query layout's ids, not hierarchy ids), one flat array per side: the test every arc makes reads 8 bytes, and parents
  // (written, not read, during the search) lie apart. Labels are reset through the list of nodes
  // touched, not with stamps.
  struct Parent {
    uint32_t node;
    uint32_t arc;  // in the graph's query layout
  };
  struct HeapEntry {
    int64_t key;
    uint32_t node;
  };
  struct Seed {
    uint32_t node;
    int64_t cm;
  };
  struct Search;
  template <int kSide>
  void settle(const CHQueryLayout& g, Search& s);
  template <int kSide>
  void meetInCore(const TransitTable& t, uint32_t core_index, int64_t label, bool fresh, Search& s);
  template <int kSide>
  void seed(const CHQueryLayout& g, uint32_t node, int64_t label, int64_t cm, Search& s);
  int64_t pathCm(const CHGraph& ch, int side, uint32_t node) const;
  void heapPush(int side, uint32_t node, int64_t key);
  void heapRemoveTop(int side);
  int64_t minKey(int side);
  std::vector<int64_t> dist_[2];
  std::vector<Parent> parent_[2];
  std::vector<uint32_t> touched_[2];
  std::vector<HeapEntry> heap_[2];
  std::vector<Seed> seeds_[2];
  std::vector<uint32_t> core_[2];  // core indices each side has reached (labels in dist_)
  uint32_t node_count_;

  // explore()'s and pathVia()'s labels (alternatives only): allocated on first use.
  struct Label {
    int64_t dist;
    int64_t cm;
    uint32_t parent;
    uint32_t parent_arc;
    uint32_t stamp;
    uint32_t heap_pos;
  };
  using Side = LabelHeap<Label>;
  std::unique_ptr<Side> forward_, backward_;
  CHResult last_;
  uint32_t meeting_ = 0;  // last_.meeting in the query layout's ids: where the forward half ends
  uint32_t meeting_to_ = 0;  // where the backward half begins: meeting_, or the core node the table led to
  uint64_t settled_ = 0;
  CHSearchCounts counts_;
};

// Appends the original segments of CH arc tail -> head (whose middle is `middle`), excluding tail.
void unpackArc(const CHGraph& ch, uint32_t tail, uint32_t head, uint32_t middle, std::vector<uint32_t>& out);

}  // namespace waymark
