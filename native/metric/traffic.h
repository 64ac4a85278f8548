#pragma once
// Live traffic in OSRM's CSV formats, streamed: segment speeds `from_osm_node_id,to_osm_node_id,
// speed_kmh[,rate]` (rate: weight in metres per second for this segment, OSRM's weight rate), and,
// after a line `# turns`, turn penalties `from_osm_node_id,via_osm_node_id,to_osm_node_id,penalty_s
// [,weight_penalty_s]`. Lines are parsed and looked up as they arrive (nothing of the file is kept
// but one value per directed OSM segment of the map); node pairs the map does not have are counted,
// not errors; a malformed line is an InvalidTrafficFile error naming its line number.
//
// Applying: a road segment's travel time is the sum over its OSM segments of length / speed where a
// speed was given, and its base time in proportion to length elsewhere; speed 0 closes the segment.
// Turn penalties replace the base turn cost of the turn arcs they name.
#include <cstdint>
#include <string>
#include <vector>

#include "metric/metric.h"

namespace waymark {

struct TrafficStats {
  uint64_t lines = 0;
  uint64_t speed_lines = 0;
  uint64_t turn_lines = 0;
  uint64_t unknown_segments = 0;  // speed lines whose node pair is no drivable OSM segment of the map
  uint64_t unknown_turns = 0;     // turn lines naming no turn of the map
  uint64_t osm_segments = 0;      // directed OSM segments of the map that can be driven
  uint64_t osm_segments_set = 0;  // ... of them given a speed
  uint64_t road_segments_changed = 0;
  uint64_t closed_segments = 0;
  uint64_t turns_changed = 0;
};

// One CSV line split into numeric fields; false with `error` set when malformed.
struct TrafficLine {
  int64_t ids[3] = {0, 0, 0};
  double values[2] = {0, 0};
  bool has_rate = false;  // speeds: 4th column; turns: 5th column (weight penalty)
};
// Parses a speed line (3 or 4 fields) or a turn line (4 or 5 fields). Exposed for tests.
bool parseTrafficLine(std::string_view line, bool turn, TrafficLine& out, std::string& error);

class TrafficUpdate {
 public:
  explicit TrafficUpdate(const LoadedMap& base);
  // Parses the complete lines of `data` (a partial last line waits for the next chunk).
  void push(const char* data, size_t size);
  // Parses what is left; then the weights for buildMetric.
  MetricWeights finish();
  const TrafficStats& stats() const { return stats_; }

 private:
  void line(std::string_view text);
  const LoadedMap& base_;
  // Directed OSM segments of the map, sorted by (from, to): key and directed subsegment (2 * sub + dir).
  struct Key {
    int64_t from, to;
    uint32_t directed;
    bool operator<(const Key& o) const { return from != o.from ? from < o.from : to < o.to; }
  };
  std::vector<Key> index_;
  std::vector<uint32_t> edge_sub_first_;  // per edge: first subsegment (sub = edge_sub_first[e] + point index)
  std::vector<float> speed_, rate_;       // per directed subsegment; NaN = not given
  struct TurnPenalty {
    uint32_t arc;
    double penalty_s, weight_penalty_s;
  };
  std::vector<TurnPenalty> turns_;
  std::string pending_;
  bool in_turns_ = false;
  bool finished_ = false;
  TrafficStats stats_;
};

}  // namespace waymark
