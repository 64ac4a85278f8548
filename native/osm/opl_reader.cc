#include "osm/opl_reader.h"

#include <charconv>
#include <cstring>

#include "common/error.h"

namespace waymark {

namespace {

void appendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x110000) {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool parseInt64(std::string_view text, int64_t& out) {
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace

bool parseFixedCoordinate(std::string_view text, int32_t& out) {
  if (text.empty()) return false;
  size_t i = 0;
  bool negative = false;
  if (text[0] == '-') {
    negative = true;
    i = 1;
  }
  int64_t value = 0;
  int digits = 0;
  for (; i < text.size() && text[i] != '.'; ++i) {
    if (text[i] < '0' || text[i] > '9' || ++digits > 3) return false;
    value = value * 10 + (text[i] - '0');
  }
  if (digits == 0) return false;
  int decimals = 0;
  if (i < text.size()) {
    ++i;  // '.'
    for (; i < text.size(); ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      if (decimals < 7) {
        value = value * 10 + (text[i] - '0');
        ++decimals;
      }
    }
  }
  for (; decimals < 7; ++decimals) value *= 10;
  if (value > 1800000000LL) return false;
  out = static_cast<int32_t>(negative ? -value : value);
  return true;
}

void OplReader::push(const char* data, size_t size) {
  bytes_ += size;
  const char* end = data + size;
  const char* p = data;
  while (p < end) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', end - p));
    if (nl == nullptr) {
      partial_.append(p, end - p);
      return;
    }
    if (!partial_.empty()) {
      partial_.append(p, nl - p);
      parseLine(partial_);
      partial_.clear();
    } else {
      parseLine(std::string_view(p, nl - p));
    }
    p = nl + 1;
  }
}

void OplReader::finish() {
  if (!partial_.empty()) {
    parseLine(partial_);
    partial_.clear();
  }
}

std::pair<size_t, size_t> OplReader::unescape(std::string_view text) {
  const size_t start = arena_.size();
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c != '%') {
      arena_.push_back(c);
      continue;
    }
    const size_t close = text.find('%', i + 1);
    if (close == std::string_view::npos) throw Error("InvalidInput", "OPL: unterminated escape sequence");
    uint32_t cp = 0;
    auto [ptr, ec] = std::from_chars(text.data() + i + 1, text.data() + close, cp, 16);
    if (ec != std::errc() || ptr != text.data() + close) throw Error("InvalidInput", "OPL: bad escape sequence");
    appendUtf8(arena_, cp);
    i = close;
  }
  return {start, arena_.size() - start};
}

void OplReader::parseTags(std::string_view field) {
  tag_spans_.clear();
  size_t pos = 0;
  while (pos < field.size()) {
    size_t comma = field.find(',', pos);
    if (comma == std::string_view::npos) comma = field.size();
    std::string_view kv = field.substr(pos, comma - pos);
    const size_t eq = kv.find('=');
    if (eq != std::string_view::npos) {
      auto k = unescape(kv.substr(0, eq));
      auto v = unescape(kv.substr(eq + 1));
      tag_spans_.push_back({k, v});
    }
    pos = comma + 1;
  }
}

void OplReader::parseWayNodes(std::string_view field) {
  way_nodes_.clear();
  size_t pos = 0;
  while (pos < field.size()) {
    size_t comma = field.find(',', pos);
    if (comma == std::string_view::npos) comma = field.size();
    std::string_view ref = field.substr(pos, comma - pos);
    pos = comma + 1;
    if (ref.empty() || ref[0] != 'n') throw Error("InvalidInput", "OPL: bad way node reference");
    const size_t x = ref.find('x');
    const size_t y = ref.find('y');
    OplWayNode node{0, false, 0, 0};
    std::string_view id_text = ref.substr(1, (x == std::string_view::npos ? ref.size() : x) - 1);
    if (!parseInt64(id_text, node.id)) throw Error("InvalidInput", "OPL: bad node id in way");
    if (x != std::string_view::npos && y != std::string_view::npos && y > x) {
      std::string_view xs = ref.substr(x + 1, y - x - 1);
      std::string_view ys = ref.substr(y + 1);
      node.has_location = parseFixedCoordinate(xs, node.lon) && parseFixedCoordinate(ys, node.lat) &&
                          node.lat >= -900000000 && node.lat <= 900000000;
    }
    way_nodes_.push_back(node);
  }
}

void OplReader::parseMembers(std::string_view field) {
  members_.clear();
  role_spans_.clear();
  std::vector<std::pair<char, int64_t>> ids;
  size_t pos = 0;
  while (pos < field.size()) {
    size_t comma = field.find(',', pos);
    if (comma == std::string_view::npos) comma = field.size();
    std::string_view m = field.substr(pos, comma - pos);
    pos = comma + 1;
    const size_t at = m.find('@');
    if (m.size() < 2 || at == std::string_view::npos) throw Error("InvalidInput", "OPL: bad relation member");
    int64_t id = 0;
    if (!parseInt64(m.substr(1, at - 1), id)) throw Error("InvalidInput", "OPL: bad relation member id");
    ids.push_back({m[0], id});
    role_spans_.push_back(unescape(m.substr(at + 1)));
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    members_.push_back(
        {ids[i].first, ids[i].second, std::string_view(arena_.data() + role_spans_[i].first, role_spans_[i].second)});
  }
}

void OplReader::parseLine(std::string_view line) {
  ++lines_;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.empty()) return;
  const char type = line[0];
  if (type != 'n' && type != 'w' && type != 'r') {
    if (type == 'c') return;  // changesets carry nothing routable
    throw Error("InvalidInput", "OPL line " + std::to_string(lines_) + ": unknown object type");
  }
  arena_.clear();
  tag_spans_.clear();
  way_nodes_.clear();
  members_.clear();
  size_t space = line.find(' ');
  int64_t id = 0;
  if (!parseInt64(line.substr(1, (space == std::string_view::npos ? line.size() : space) - 1), id))
    throw Error("InvalidInput", "OPL line " + std::to_string(lines_) + ": bad object id");
  bool has_x = false, has_y = false;
  int32_t lon = 0, lat = 0;
  bool seen_nodes = false, seen_members = false;
  while (space != std::string_view::npos) {
    const size_t start = space + 1;
    space = line.find(' ', start);
    std::string_view field = line.substr(start, (space == std::string_view::npos ? line.size() : space) - start);
    if (field.empty()) continue;
    const char key = field[0];
    field.remove_prefix(1);
    switch (key) {
      case 'T':
        parseTags(field);
        break;
      case 'x':
        has_x = parseFixedCoordinate(field, lon);
        break;
      case 'y':
        has_y = parseFixedCoordinate(field, lat);
        break;
      case 'N':
        parseWayNodes(field);
        seen_nodes = true;
        break;
      case 'M':
        parseMembers(field);
        seen_members = true;
        break;
      default:
        break;  // version, timestamp, user, ... are not needed
    }
  }
  // All text lives in arena_ now, which no longer grows for this line: build the views.
  tags_.items.clear();
  for (const auto& [k, v] : tag_spans_)
    tags_.items.push_back({std::string_view(arena_.data() + k.first, k.second),
                           std::string_view(arena_.data() + v.first, v.second)});
  if (seen_members) {
    for (size_t i = 0; i < members_.size(); ++i)
      members_[i].role = std::string_view(arena_.data() + role_spans_[i].first, role_spans_[i].second);
  }
  switch (type) {
    case 'n':
      handler_.node(id, tags_, has_x && has_y, lon, lat);
      break;
    case 'w':
      if (seen_nodes) handler_.way(id, tags_, way_nodes_);
      break;
    case 'r':
      handler_.relation(id, tags_, members_);
      break;
  }
}

}  // namespace waymark
