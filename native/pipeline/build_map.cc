#include "pipeline/build_map.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>

#include "common/geo.h"
#include "graph/map_file.h"
#include "cch/cch_topology.h"
#include "ch/ch_graph.h"
#include "ch/contraction.h"
#include "graph/edge_based_graph.h"
#include "graph/edge_based_map.h"
#include "graph/road_map.h"
#include "spatial/snap_index.h"

namespace waymark {

namespace {

double processCpuSeconds() {
  rusage r;
  getrusage(RUSAGE_SELF, &r);
  return double(r.ru_utime.tv_sec + r.ru_stime.tv_sec) + 1e-6 * double(r.ru_utime.tv_usec + r.ru_stime.tv_usec);
}

double secondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

void copyString(char* dst, size_t cap, const std::string& src) {
  std::memset(dst, 0, cap);
  std::strncpy(dst, src.c_str(), cap - 1);
}

}  // namespace

BuildMapSummary buildMap(const OsmCollector& osm, const BuildMapOptions& options, const ProgressFn& progress) {
  BuildMapSummary summary;
  summary.import = osm.stats;
  auto t0 = std::chrono::steady_clock::now();
  RoadGraph g = buildRoadGraph(osm, progress, summary.graph, options.keep_all_components);
  if (g.edgeCount() == 0) throw Error("NoRoads", "the input has no connected road network for profile '" + osm.profile().name + "'");
  summary.seconds_graph = secondsSince(t0);

  // Edge-based graph: one node per directed segment, one arc per allowed turn.
  auto t_eb = std::chrono::steady_clock::now();
  EdgeBasedOptions eb_options;
  eb_options.u_turn_penalty_ms = static_cast<uint32_t>(osm.profile().u_turn_penalty_s * 1000.0);
  const EdgeBasedGraph eb = buildEdgeBasedGraph(g, eb_options);
  summary.seconds_edge_based = secondsSince(t_eb);

  // Contraction hierarchy on it. An arc's distance is the length of the segment it leaves.
  auto t_ch = std::chrono::steady_clock::now();
  const double cpu_ch = processCpuSeconds();
  std::vector<uint32_t> turn_distance(eb.turn_head.size());
  for (uint32_t s = 0; s < eb.segmentCount(); ++s)
    for (uint32_t i = eb.turn_first[s]; i < eb.turn_first[s + 1]; ++i) turn_distance[i] = eb.segment_length_cm[s];
  ContractionOptions ch_options;
  ch_options.threads = options.threads > 0 ? static_cast<unsigned>(options.threads) : 0;
  ch_options.progress = progress;
  ch_options.stats = &summary.contraction;
  const ContractionHierarchy ch = buildContractionHierarchy(eb.turn_first, eb.turn_head, eb.turn_weight, turn_distance, ch_options);
  std::vector<uint32_t>().swap(turn_distance);
  summary.seconds_contraction = secondsSince(t_ch);
  summary.cpu_seconds_contraction = processCpuSeconds() - cpu_ch;
  summary.ch_shortcuts = summary.contraction.shortcuts;

  // Customizable CH topology (nested dissection order, chordal supergraph): metric independent.
  auto t_cch = std::chrono::steady_clock::now();
  reportProgress(progress, "cch", 0, 1);
  CCHBuildOptions cch_options;
  cch_options.threads = ch_options.threads;
  // WAYMARK_BENCH_SKIP_CCH=1 leaves the CCH empty, to time the other phases of a large build alone:
  // the server refuses such a map (its CCH sections are inconsistent). Not a user option.
  const char* skip_cch = std::getenv("WAYMARK_BENCH_SKIP_CCH");
  const CCHTopologyData cch = skip_cch && std::string(skip_cch) == "1" ? CCHTopologyData{}
                                                                        : buildCCHTopology(EdgeBasedView(eb), RoadMap(g), cch_options);
  reportProgress(progress, "cch", 1, 1);
  summary.seconds_cch = secondsSince(t_cch);
  summary.cch_arcs = cch.up_head.size();

  // Snapping index over every road (queries choose which ones they accept).
  auto t_snap = std::chrono::steady_clock::now();
  const SnapIndexData snap = buildSnapIndex(RoadMap(g));
  summary.seconds_snap_index = secondsSince(t_snap);

  MapHeader header;
  std::memset(&header, 0, sizeof(header));
  copyString(header.profile, sizeof(header.profile), osm.profile().name);
  copyString(header.source_name, sizeof(header.source_name), options.source_name);
  copyString(header.source_timestamp, sizeof(header.source_timestamp), options.source_timestamp);
  header.build_time_unix_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  const auto [min_lon, max_lon] = std::minmax_element(g.node_lon.begin(), g.node_lon.end());
  const auto [min_lat, max_lat] = std::minmax_element(g.node_lat.begin(), g.node_lat.end());
  int32_t bbox[4] = {*min_lon, *min_lat, *max_lon, *max_lat};
  for (size_t i = 0; i < g.shape_lon.size(); ++i) {
    bbox[0] = std::min(bbox[0], g.shape_lon[i]);
    bbox[1] = std::min(bbox[1], g.shape_lat[i]);
    bbox[2] = std::max(bbox[2], g.shape_lon[i]);
    bbox[3] = std::max(bbox[3], g.shape_lat[i]);
  }
  for (int i = 0; i < 4; ++i) header.bbox[i] = toDegrees(bbox[i]);
  header.node_count = g.nodeCount();
  header.edge_count = g.edgeCount();
  header.shape_point_count = g.shape_lon.size();
  header.name_count = g.name_first.size() - 1;
  header.restriction_count = g.restriction_from.size();
  header.via_way_restriction_count = summary.graph.via_way_restrictions;
  {
    const ImportStats& s = osm.stats;
    const RoadGraphReport& r = summary.graph;
    header.restrictions = {s.restrictions_read, r.restrictions_applied, s.restrictions_skipped.on_red,
                           s.restrictions_skipped.conditional, s.restrictions_skipped.excepted,
                           s.restrictions_skipped.other_vehicle, s.restrictions_skipped.unknown_value,
                           s.restrictions_skipped.incomplete, r.restrictions_unmapped, r.restrictions_ambiguous,
                           r.restrictions_disconnected};
  }
  header.segment_copy_count = eb.copy_original.size();
  header.segment_count = eb.segmentCount();
  header.turn_count = eb.turn_head.size();
  header.ch_arc_count = ch.up_head.size() + ch.down_head.size();

  auto t1 = std::chrono::steady_clock::now();
  MapWriter writer;
  addRoadGraphSections(writer, g);
  addEdgeBasedSections(writer, eb);
  addCHSections(writer, ch);
  addCCHSections(writer, cch);
  addSnapSections(writer, snap);
  // One byte, 1 = left-hand traffic; maps without the section keep right.
  const std::vector<uint8_t> driving_side{uint8_t(options.left_hand_traffic ? 1 : 0)};
  writer.add("driving_side", driving_side);
  reportProgress(progress, "write", 0, 1);
  writer.write(options.output_path, header);
  reportProgress(progress, "write", 1, 1);
  summary.seconds_write = secondsSince(t1);
  summary.nodes = g.nodeCount();
  summary.edges = g.edgeCount();
  summary.restrictions = g.restriction_from.size();
  summary.file_bytes = header.file_bytes;
  summary.segments = eb.segmentCount();
  summary.turns = eb.turn_head.size();
  summary.ch_arcs = header.ch_arc_count;
  return summary;
}

}  // namespace waymark
