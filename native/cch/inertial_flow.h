#pragma once
// Inertial flow (Schild & Sommer 2015): a small, balanced node separator of a graph embedded in the
// plane. For a few directions, the nodes are sorted by their projection; the first quarter becomes
// the source set, the last quarter the target set, and a maximum flow with unit node capacities
// (Dinic) between them gives a minimum node cut. The direction with the smallest cut wins.
#include <cstdint>
#include <span>
#include <vector>

namespace waymark {

// An undirected graph in symmetric CSR (every edge stored at both ends, no loops, no duplicates),
// with a planar position per node.
struct PlanarGraph {
  std::span<const uint32_t> first, head;
  std::span<const double> x, y;
  uint32_t nodeCount() const { return static_cast<uint32_t>(x.size()); }
};

enum class CutSide : uint8_t { kSource, kTarget, kSeparator };

struct NodeSeparator {
  std::vector<CutSide> side;  // per node; no edge joins kSource and kTarget
  uint32_t separator_size = 0;
};

// The graph must be connected and have at least 4 nodes.
NodeSeparator inertialFlowSeparator(const PlanarGraph& g, double balance = 0.25);

}  // namespace waymark
