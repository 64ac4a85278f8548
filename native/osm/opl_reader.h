#pragma once
// Streaming reader for osmium's OPL text format (one object per line). Bytes arrive in chunks of any
// size through push(); complete lines are parsed at once and handed to an OplHandler, so the whole
// file is never held in memory. Tags, roles and names are unescaped (%XX% code points) into UTF-8.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace waymark {

struct OplTag {
  std::string_view key;
  std::string_view value;
};

struct OplTags {
  std::vector<OplTag> items;
  // Value of `key`, or an empty view when absent (OSM has no meaningful empty values).
  std::string_view get(std::string_view key) const {
    for (const auto& t : items)
      if (t.key == key) return t.value;
    return {};
  }
  bool has(std::string_view key) const {
    for (const auto& t : items)
      if (t.key == key) return true;
    return false;
  }
};

struct OplWayNode {
  int64_t id;
  bool has_location;  // false for references to nodes missing from a clipped extract
  int32_t lon;        // 1e-7 degrees
  int32_t lat;
};

struct OplMember {
  char type;  // 'n', 'w' or 'r'
  int64_t id;
  std::string_view role;
};

class OplHandler {
 public:
  virtual ~OplHandler() = default;
  virtual void node(int64_t id, const OplTags& tags, bool has_location, int32_t lon, int32_t lat) = 0;
  virtual void way(int64_t id, const OplTags& tags, const std::vector<OplWayNode>& nodes) = 0;
  virtual void relation(int64_t id, const OplTags& tags, const std::vector<OplMember>& members) = 0;
};

class OplReader {
 public:
  explicit OplReader(OplHandler& handler) : handler_(handler) {}
  void push(const char* data, size_t size);
  // Parses a last line without a trailing newline.
  void finish();
  uint64_t lines() const { return lines_; }
  uint64_t bytes() const { return bytes_; }

 private:
  void parseLine(std::string_view line);
  void parseTags(std::string_view field);
  void parseWayNodes(std::string_view field);
  void parseMembers(std::string_view field);
  // Unescapes into arena_ and returns the offset/length pair of the decoded text.
  std::pair<size_t, size_t> unescape(std::string_view text);

  OplHandler& handler_;
  std::string partial_;
  std::string arena_;
  std::vector<std::pair<std::pair<size_t, size_t>, std::pair<size_t, size_t>>> tag_spans_;
  std::vector<std::pair<size_t, size_t>> role_spans_;
  OplTags tags_;
  std::vector<OplWayNode> way_nodes_;
  std::vector<OplMember> members_;
  uint64_t lines_ = 0;
  uint64_t bytes_ = 0;
};

// Parses a decimal coordinate ("7.4259881", "-122.5") into 1e-7 fixed point without floating-point
// rounding. Returns false for anything that is not a plain decimal number.
bool parseFixedCoordinate(std::string_view text, int32_t& out);

}  // namespace waymark
