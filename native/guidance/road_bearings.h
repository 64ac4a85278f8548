#pragma once
// The roads at a junction as a driver sees them: every edge leaving a node, its bearing (measured a
// few metres out, so a kink at the node does not decide the turn) and whether it may be entered.
#include <cstdint>
#include <vector>

#include "graph/road_map.h"

namespace waymark {

// Metres along an edge at which its bearing from the node is measured.
constexpr double kBearingLookaheadM = 10.0;

struct RoadAtNode {
  uint32_t edge;
  uint32_t dir;          // direction of travel when leaving the node along this edge
  double bearing;        // degrees clockwise from north, leaving the node
  bool enterable;        // the edge may be driven away from the node
};

// Bearing leaving the node at the start of `edge` travelled in direction `dir`.
double bearingLeaving(const RoadMap& road, uint32_t edge, uint32_t dir);

// Every edge at `node` (a self-loop twice, once per end), in storage order.
std::vector<RoadAtNode> roadsAt(const RoadMap& road, uint32_t node);

}  // namespace waymark
