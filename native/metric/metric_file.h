#pragma once
// A metric file (.wmetric): a customized metric written once (`waymark traffic ... -o`) and loaded
// by a server without customizing again. A fixed header (magic, format version, the checksum and
// sizes of the map it belongs to, traffic version and time, the traffic file's counts, a table of
// named sections each with its own checksum) followed by little-endian flat arrays, 64-byte
// aligned: the metric's segment and turn weights and travel times, snappable flags, and the
// customized hierarchy itself. Loading is a read of each array plus validation; the map is never
// touched.
//
// Loading fails with MetricNotFound (no such regular file), MetricCorrupt (not a metric file,
// truncated, checksum mismatch, inconsistent arrays), MetricVersionUnsupported, or MetricMismatch
// (customized for another map: checksum or sizes differ).
#include <cstdint>
#include <memory>
#include <string>

#include "metric/metric.h"
#include "metric/traffic.h"

namespace waymark {

inline constexpr char kMetricMagic[8] = {'W', 'M', 'M', 'E', 'T', 'R', 'C', '\x1a'};
inline constexpr uint32_t kMetricFormatVersion = 1;
inline constexpr uint32_t kMaxMetricSections = 32;

struct MetricSectionEntry {
  char name[32];
  uint64_t offset;
  uint64_t bytes;
  uint32_t element_size;
  uint32_t reserved;
  uint64_t checksum;  // Checksum64 of the section's bytes
};

struct MetricFileHeader {
  char magic[8];
  uint32_t format_version;
  uint32_t header_bytes;
  uint64_t file_bytes;
  uint64_t checksum;  // of this header with this field read as zero (the section checksums cover the rest)
  uint64_t map_checksum;  // the map the metric was customized for (its header checksum)
  uint64_t map_segment_count;
  uint64_t map_turn_count;
  uint64_t traffic_version;
  int64_t created_unix_ms;  // when the traffic was read
  double customize_ms;      // what customizing took when the file was written
  uint32_t weight_is_travel_time;
  uint32_t reserved32;
  char key[64];  // the metric's key when written ("traffic:1")
  TrafficStats stats;
  uint64_t reserved[8];
  uint32_t section_count;
  uint32_t reserved32b;
  MetricSectionEntry sections[kMaxMetricSections];
};

struct MetricFileInfo {
  uint64_t traffic_version = 0;
  int64_t created_unix_ms = 0;
  TrafficStats stats;
};

// Writes `metric` (a metric view of a map) atomically (temporary name, then rename); returns the
// file's size. OutputNotWritable when it cannot.
uint64_t writeMetricFile(const std::string& path, const LoadedMap& metric, const MetricFileInfo& info);

struct LoadedMetricFile {
  std::shared_ptr<const LoadedMap> view;  // the metric view of `base`, keyed `key`
  MetricFileInfo info;
  uint64_t bytes = 0;
  double load_ms = 0;
};

// Reads and validates a metric file against `base` (a map's own weights), keyed `key` / `version`.
LoadedMetricFile loadMetricFile(const std::string& path, const LoadedMap& base, std::string key, uint64_t version);

}  // namespace waymark
