#include "graph/road_graph.h"

namespace waymark {

void buildIncidence(RoadGraph& g) {
  const uint32_t n = g.nodeCount(), m = g.edgeCount();
  g.node_first_edge.assign(n + 1, 0);
  for (uint32_t e = 0; e < m; ++e) {
    ++g.node_first_edge[g.edge_from[e] + 1];
    if (g.edge_to[e] != g.edge_from[e]) ++g.node_first_edge[g.edge_to[e] + 1];
  }
  for (uint32_t v = 0; v < n; ++v) g.node_first_edge[v + 1] += g.node_first_edge[v];
  g.node_edges.assign(g.node_first_edge[n], 0);
  std::vector<uint32_t> fill(g.node_first_edge.begin(), g.node_first_edge.end() - 1);
  for (uint32_t e = 0; e < m; ++e) {
    g.node_edges[fill[g.edge_from[e]]++] = e;
    if (g.edge_to[e] != g.edge_from[e]) g.node_edges[fill[g.edge_to[e]]++] = e;
  }
}

}  // namespace waymark
