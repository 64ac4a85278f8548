#pragma once
// `waymark build` after the OPL stream ended: OSM data -> road graph -> map file.
#include <string>

#include "ch/contraction.h"
#include "common/progress.h"
#include "graph/build_road_graph.h"
#include "osm/osm_collector.h"

namespace waymark {

struct BuildMapOptions {
  std::string output_path;
  std::string source_name;
  std::string source_timestamp;
  int threads = 0;  // 0 = all cores
  // Keep every component of the road graph (small test networks); snapping still prefers the largest.
  bool keep_all_components = false;
  // Traffic keeps left (UK, Malta, Japan...): steps say so and approaches=curb means the left kerb.
  bool left_hand_traffic = false;
};

struct BuildMapSummary {
  ImportStats import;
  RoadGraphReport graph;
  uint64_t nodes = 0;
  uint64_t edges = 0;
  uint64_t restrictions = 0;
  uint64_t file_bytes = 0;
  uint64_t segments = 0;
  uint64_t turns = 0;
  uint64_t ch_arcs = 0;
  double seconds_graph = 0;
  double seconds_edge_based = 0;
  double seconds_contraction = 0;
  double cpu_seconds_contraction = 0;  // every thread of the process during the contraction
  uint64_t ch_shortcuts = 0;
  ContractionStats contraction;         // where the contraction's time went
  double seconds_cch = 0;  // metric-independent CCH preprocessing
  uint64_t cch_arcs = 0;
  double seconds_snap_index = 0;
  double seconds_write = 0;
};

BuildMapSummary buildMap(const OsmCollector& osm, const BuildMapOptions& options, const ProgressFn& progress);

}  // namespace waymark
