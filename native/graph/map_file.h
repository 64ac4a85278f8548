#pragma once
// The map file: a fixed header (magic, format version, profile, source, bbox, counts, checksum, and
// a table of named sections) followed by little-endian flat arrays, each 64-byte aligned, so the
// server memory-maps it and every worker thread shares one read-only copy.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/error.h"

namespace waymark {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "map files are little-endian; this build assumes a little-endian host");

inline constexpr char kMapMagic[8] = {'W', 'A', 'Y', 'M', 'A', 'R', 'K', '\x1a'};
// 4: the customizable CH's sections (cch_*) are required (format 3 maps may lack them: rebuild).
inline constexpr uint32_t kMapFormatVersion = 4;
inline constexpr uint32_t kMaxSections = 96;

struct MapSectionEntry {
  char name[32];
  uint64_t offset;
  uint64_t bytes;
  uint32_t element_size;
  uint32_t reserved;
};

struct MapHeader {
  char magic[8];
  uint32_t format_version;
  uint32_t header_bytes;
  uint64_t file_bytes;
  uint64_t checksum;  // over the whole file with this field read as zero
  char profile[32];
  char source_name[256];
  char source_timestamp[64];
  int64_t build_time_unix_ms;
  double bbox[4];  // min lon, min lat, max lon, max lat of the routable graph
  uint64_t node_count;
  uint64_t edge_count;
  uint64_t shape_point_count;
  uint64_t name_count;
  uint64_t restriction_count;
  uint64_t via_way_restriction_count;
  uint64_t segment_count;  // edge-based graph nodes (directed road segments)
  uint64_t turn_count;     // edge-based graph arcs (allowed turns)
  uint64_t ch_arc_count;   // contraction hierarchy arcs (up + down, incl. shortcuts)
  // Turn restriction relations of the source, by fate (what `waymark info` reports).
  struct RestrictionCounts {
    uint64_t read;          // type=restriction relations
    uint64_t applied;       // turned into at least one restriction on the graph
    uint64_t on_red;        // ignored: *_on_red
    uint64_t conditional;   // ignored: restriction:conditional only
    uint64_t excepted;      // ignored: except= names this vehicle
    uint64_t other_vehicle; // ignored: for other vehicles only
    uint64_t unknown_value; // ignored: neither no_* nor only_*
    uint64_t incomplete;    // ignored: members missing or malformed
    uint64_t unmapped;      // ignored: a member is not in this profile's graph
    uint64_t ambiguous;     // ignored: the edges cannot be decided
    uint64_t disconnected;  // ignored: members do not meet
  } restrictions;
  uint64_t segment_copy_count;  // edge-based segments duplicated for via-way restrictions
  uint64_t reserved[4];
  uint32_t section_count;
  uint32_t reserved32;
  MapSectionEntry sections[kMaxSections];
};

// Collects sections (pointers only: the data must outlive write()) and writes the file to a
// temporary name beside `path`, renaming it into place only when complete.
class MapWriter {
 public:
  template <typename T>
  void add(const char* name, const std::vector<T>& v) {
    addBytes(name, v.data(), v.size() * sizeof(T), sizeof(T));
  }
  void add(const char* name, const std::string& s) { addBytes(name, s.data(), s.size(), 1); }
  void addBytes(const char* name, const void* data, uint64_t bytes, uint32_t element_size);
  // Fills magic, version, sizes, sections and checksum of `header`, then writes atomically.
  void write(const std::string& path, MapHeader& header) const;

 private:
  struct Pending {
    std::string name;
    const void* data;
    uint64_t bytes;
    uint32_t element_size;
  };
  std::vector<Pending> sections_;
};

class MappedMap {
 public:
  // Validates everything (size, magic, version, section table, checksum); throws waymark::Error with
  // code MapNotFound, MapTruncated, MapNotWaymark, MapVersionUnsupported or MapCorrupt.
  static std::shared_ptr<const MappedMap> open(const std::string& path, bool verify_checksum = true);
  ~MappedMap();
  MappedMap(const MappedMap&) = delete;
  MappedMap& operator=(const MappedMap&) = delete;

  const MapHeader& header() const { return *reinterpret_cast<const MapHeader*>(base_); }
  const std::string& path() const { return path_; }
  bool has(const char* name) const;
  template <typename T>
  std::span<const T> section(const char* name) const {
    const MapSectionEntry& s = find(name, sizeof(T));
    return std::span<const T>(reinterpret_cast<const T*>(base_ + s.offset), s.bytes / sizeof(T));
  }

 private:
  MappedMap() = default;
  const MapSectionEntry& find(const char* name, uint32_t element_size) const;
  const uint8_t* base_ = nullptr;
  size_t size_ = 0;
  std::string path_;
};

// Checksum of a file image laid out as a map (header checksum field read as zero).
uint64_t mapChecksum(const uint8_t* data, size_t size);

}  // namespace waymark
