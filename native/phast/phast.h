#pragma once
// PHAST (Delling, Goldberg, Nowatzyk, Werneck 2011): one-to-all shortest paths on a contraction
// hierarchy. An upward search from the seeds settles the few nodes above them; then one linear
// sweep over every node from the top rank down relaxes each node's downward arcs. Because
// hierarchy nodes are numbered by rank (see ch/contraction.h), the sweep reads the graph in memory
// order. Forward: costs from the seeds to the start of every segment (up search, then the down
// arcs). Reverse (all-to-one): costs from the start of every segment to the seeds (down search,
// then the up arcs). A Phast object is one thread's scratch; the graph is shared.
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "ch/ch_graph.h"
#include "ch/ch_query.h"
#include "ch/upward_search.h"

namespace waymark {

constexpr int64_t kPhastUnreached = std::numeric_limits<int64_t>::max();

enum class PhastDirection { kForward, kReverse };

class Phast {
 public:
  explicit Phast(uint32_t node_count);
  // Seeds are input nodes (segments) with offsets, as in CHQuery.
  void run(const CHGraph& ch, PhastDirection direction, std::span<const SearchEndpoint> seeds);
  // Results by input node (segment): ms / cm along the time-fastest path, kPhastUnreached if none.
  int64_t ms(const CHGraph& ch, uint32_t segment) const { return label_[ch.rank[segment]].ms; }
  int64_t cm(const CHGraph& ch, uint32_t segment) const { return label_[ch.rank[segment]].cm; }
  uint64_t upwardSettled() const { return upward_settled_; }

 private:
  struct Label {
    int64_t ms;
    int64_t cm;
  };
  std::vector<Label> label_;  // by hierarchy node
  UpwardSearch upward_;
  uint64_t upward_settled_ = 0;
};

}  // namespace waymark
