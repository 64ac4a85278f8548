#pragma once
// Contraction hierarchy preprocessing (Geisberger, Sanders, Schultes, Delling 2008).
// Nodes are contracted in rounds of independent sets, in parallel: a node is picked when its
// priority (level + shortcuts added / arcs removed + hops added / hops removed) is smaller than all
// its neighbours'. Witness searches are bounded by settled nodes and exclude every node of the
// current round, so simultaneous contraction stays exact. Priorities are recomputed lazily: only for
// neighbours of contracted nodes. Shortcuts remember their middle node for unpacking.
#include <cstdint>
#include <vector>

#include "common/progress.h"

namespace waymark {

constexpr uint32_t kNoMiddle = 0xFFFFFFFFu;

// Upward graph (arcs u -> x with rank x > rank u, stored at u) and downward graph (arcs x -> u with
// rank x > rank u, stored at u, head = x): both searches of a query only ever go up.
// Hierarchy nodes are numbered by rank (node id == rank), so the top of the hierarchy, where every
// query ends up, is contiguous in memory. rank[input node] gives its hierarchy node, and
// input_node[hierarchy node] the way back.
struct ContractionHierarchy {
  std::vector<uint32_t> rank;
  std::vector<uint32_t> input_node;
  std::vector<uint32_t> up_first, up_head, up_weight, up_distance, up_middle;
  std::vector<uint32_t> down_first, down_head, down_weight, down_distance, down_middle;
};

// Where the contraction spent its time (seconds of wall time) and how much it did.
struct ContractionStats {
  uint32_t rounds = 0;
  uint64_t shortcuts = 0;
  uint64_t priority_updates = 0;  // simulated contractions after the initial ones
  double seconds_initial_priorities = 0, seconds_select = 0, seconds_witness = 0, seconds_apply = 0,
         seconds_priority_updates = 0, seconds_finish = 0;
};

struct ContractionOptions {
  unsigned threads = 0;  // 0 = all cores
  // Witness searches stop after settling so many nodes or scanning so many arcs (in the dense core
  // a settled node has dozens of arcs). A search stopped early only costs a shortcut, or while
  // simulating some accuracy of a priority, never exactness. Simulations (4 per node) were 80% of
  // the time with a limit of 150; at 20, porto contracts 2x faster for 1-2% more arcs and the same
  // query search space.
  uint32_t simulate_settle_limit = 20;
  uint32_t simulate_scan_limit = 2000;  // per simulation, shared by its searches (at least 64 each)
  uint32_t contract_settle_limit = 1000;
  uint32_t contract_scan_limit = 20000;
  ProgressFn progress;
  ContractionStats* stats = nullptr;  // filled when given
};

// The input graph in CSR: arcs first_out[v]..first_out[v+1] with head, weight (ms) and distance (cm).
ContractionHierarchy buildContractionHierarchy(const std::vector<uint32_t>& first_out, const std::vector<uint32_t>& head,
                                               const std::vector<uint32_t>& weight, const std::vector<uint32_t>& distance,
                                               const ContractionOptions& options);

}  // namespace waymark
