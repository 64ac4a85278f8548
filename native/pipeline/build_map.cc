#include "pipeline/build_map.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "common/geo.h"
#include "graph/map_file.h"
#include "graph/road_map.h"

namespace waymark {

namespace {

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
  RoadGraph g = buildRoadGraph(osm, progress, summary.graph);
  if (g.edgeCount() == 0) throw Error("NoRoads", "the input has no connected road network for profile '" + osm.profile().name + "'");
  summary.seconds_graph = secondsSince(t0);

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

  auto t1 = std::chrono::steady_clock::now();
  MapWriter writer;
  addRoadGraphSections(writer, g);
  reportProgress(progress, "write", 0, 1);
  writer.write(options.output_path, header);
  reportProgress(progress, "write", 1, 1);
  summary.seconds_write = secondsSince(t1);
  summary.nodes = g.nodeCount();
  summary.edges = g.edgeCount();
  summary.restrictions = g.restriction_from.size();
  summary.file_bytes = header.file_bytes;
  return summary;
}

}  // namespace waymark
