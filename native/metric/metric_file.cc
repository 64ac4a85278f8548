#include "metric/metric_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <type_traits>
#include <vector>

#include "common/checksum.h"
#include "common/error.h"

namespace waymark {

static_assert(std::is_trivially_copyable_v<MetricFileHeader>, "the metric header is written as bytes");
static_assert(std::is_trivially_copyable_v<TrafficStats>, "traffic counts are written as bytes");

namespace {

constexpr uint64_t kAlign = 64;
uint64_t alignUp(uint64_t x) { return (x + kAlign - 1) / kAlign * kAlign; }

uint64_t checksumOf(const void* data, uint64_t bytes) {
  Checksum64 sum;
  sum.update(data, bytes);
  return sum.digest();
}

uint64_t headerChecksum(MetricFileHeader h) {
  h.checksum = 0;
  return checksumOf(&h, sizeof(h));
}

// Every array of a metric, by section name, for both writer and reader.
template <typename Metric, typename Fn>
void forEachSection(Metric& m, bool with_travel, Fn&& fn) {
  auto& w = m.weights;
  auto& ch = m.ch;
  fn("segment_weight", w.segment_weight);
  fn("segment_travel_ms", w.segment_travel_ms);
  fn("turn_weight", w.turn_weight);
  fn("turn_travel_ms", w.turn_travel_ms);
  fn("segment_flags", w.segment_flags);
  fn("ch_rank", ch.rank);
  fn("ch_input_node", ch.input_node);
  fn("ch_up_first", ch.up_first);
  fn("ch_up_head", ch.up_head);
  fn("ch_up_weight", ch.up_weight);
  fn("ch_up_distance", ch.up_distance);
  fn("ch_up_middle", ch.up_middle);
  fn("ch_down_first", ch.down_first);
  fn("ch_down_head", ch.down_head);
  fn("ch_down_weight", ch.down_weight);
  fn("ch_down_distance", ch.down_distance);
  fn("ch_down_middle", ch.down_middle);
  if (with_travel) {
    fn("up_travel_ms", m.up_travel_ms);
    fn("down_travel_ms", m.down_travel_ms);
  }
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

bool writeAll(int fd, const void* data, uint64_t bytes) {
  const auto* p = static_cast<const uint8_t*>(data);
  while (bytes > 0) {
    const ssize_t n = ::write(fd, p, std::min<uint64_t>(bytes, 1u << 30));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    bytes -= static_cast<uint64_t>(n);
  }
  return true;
}

bool readAll(int fd, void* data, uint64_t bytes, uint64_t offset) {
  auto* p = static_cast<uint8_t*>(data);
  while (bytes > 0) {
    const ssize_t n = ::pread(fd, p, std::min<uint64_t>(bytes, 1u << 30), static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    bytes -= static_cast<uint64_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return true;
}

// The checks CHGraph makes on a map's own hierarchy, plus what keeps unpacking finite (every arc
// goes up, head above its node, and a shortcut's middle lies below it) and what keeps unpacked
// paths on the map (an arc that is no shortcut stands for a turn of the edge-based graph).
bool consistentHierarchy(const ContractionHierarchy& ch, const EdgeBasedView& eb) {
  const size_t n = eb.segmentCount();
  auto isTurn = [&](uint32_t from, uint32_t to) {
    for (uint32_t i = eb.turn_first[from]; i < eb.turn_first[from + 1]; ++i)
      if (eb.turn_head[i] == to) return true;
    return false;
  };
  bool ok = ch.rank.size() == n && ch.input_node.size() == n && ch.up_first.size() == n + 1 && ch.down_first.size() == n + 1 &&
            ch.up_first[0] == 0 && ch.down_first[0] == 0 && ch.up_first[n] == ch.up_head.size() &&
            ch.down_first[n] == ch.down_head.size() && ch.up_weight.size() == ch.up_head.size() &&
            ch.up_distance.size() == ch.up_head.size() && ch.up_middle.size() == ch.up_head.size() &&
            ch.down_weight.size() == ch.down_head.size() && ch.down_distance.size() == ch.down_head.size() &&
            ch.down_middle.size() == ch.down_head.size();
  for (size_t v = 0; ok && v < n; ++v)
    ok = ch.up_first[v] <= ch.up_first[v + 1] && ch.down_first[v] <= ch.down_first[v + 1] && ch.rank[v] < n && ch.input_node[ch.rank[v]] == v;
  for (size_t v = 0; ok && v < n; ++v) {
    for (uint32_t i = ch.up_first[v]; ok && i < ch.up_first[v + 1]; ++i)  // v -> head
      ok = ch.up_head[i] < n && ch.up_head[i] > v &&
           (ch.up_middle[i] == kNoMiddle ? isTurn(ch.input_node[v], ch.input_node[ch.up_head[i]]) : ch.up_middle[i] < v);
    for (uint32_t i = ch.down_first[v]; ok && i < ch.down_first[v + 1]; ++i)  // head -> v
      ok = ch.down_head[i] < n && ch.down_head[i] > v &&
           (ch.down_middle[i] == kNoMiddle ? isTurn(ch.input_node[ch.down_head[i]], ch.input_node[v]) : ch.down_middle[i] < v);
  }
  return ok;
}

}  // namespace

uint64_t writeMetricFile(const std::string& path, const LoadedMap& view, const MetricFileInfo& info) {
  if (!view.metric) throw Error("InvalidArgument", "only a metric (not a map's own weights) can be written to a metric file");
  const MetricData& m = *view.metric;
  const bool with_travel = !m.weights.weight_is_travel_time;
  MetricFileHeader h;
  std::memset(static_cast<void*>(&h), 0, sizeof(h));  // padding included: the header checksum covers every byte
  std::memcpy(h.magic, kMetricMagic, sizeof(kMetricMagic));
  h.format_version = kMetricFormatVersion;
  h.header_bytes = sizeof(MetricFileHeader);
  h.map_checksum = view.file->header().checksum;
  h.map_segment_count = view.eb.segmentCount();
  h.map_turn_count = view.eb.turn_head.size();
  h.traffic_version = info.traffic_version;
  h.created_unix_ms = info.created_unix_ms;
  h.customize_ms = m.customize_ms;
  h.weight_is_travel_time = m.weights.weight_is_travel_time ? 1 : 0;
  std::strncpy(h.key, m.key.c_str(), sizeof(h.key) - 1);
  h.stats = info.stats;
  struct Data {
    const void* data;
    uint64_t bytes;
  };
  std::vector<Data> data;
  uint64_t offset = alignUp(sizeof(MetricFileHeader));
  forEachSection(m, with_travel, [&](const char* name, const auto& v) {
    MetricSectionEntry& e = h.sections[h.section_count++];
    std::strncpy(e.name, name, sizeof(e.name) - 1);
    e.offset = offset;
    e.element_size = sizeof(v[0]);
    e.bytes = v.size() * e.element_size;
    e.checksum = checksumOf(v.data(), e.bytes);
    data.push_back({v.data(), e.bytes});
    offset = alignUp(offset + e.bytes);
  });
  h.file_bytes = offset;
  h.checksum = headerChecksum(h);

  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) throw Error("OutputNotWritable", path + " exists and is not a regular file");
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (fd.get() < 0) throw Error("OutputNotWritable", "cannot write " + path + ": " + std::strerror(errno));
  static const uint8_t zeros[kAlign] = {};
  bool ok = writeAll(fd.get(), &h, sizeof(h));
  uint64_t pos = sizeof(h);
  for (uint32_t i = 0; ok && i < h.section_count; ++i) {
    ok = writeAll(fd.get(), zeros, h.sections[i].offset - pos) && writeAll(fd.get(), data[i].data, data[i].bytes);
    pos = h.sections[i].offset + data[i].bytes;
  }
  ok = ok && writeAll(fd.get(), zeros, h.file_bytes - pos) && ::fsync(fd.get()) == 0;
  const int saved = errno;
  ok = ::close(fd.release()) == 0 && ok;
  if (!ok) {
    ::unlink(tmp.c_str());
    throw Error("OutputNotWritable", "cannot write " + path + ": " + std::strerror(saved ? saved : errno));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    throw Error("OutputNotWritable", "cannot move the metric into place at " + path + ": " + std::strerror(e));
  }
  return h.file_bytes;
}

LoadedMetricFile loadMetricFile(const std::string& path, const LoadedMap& base, std::string key, uint64_t version) {
  if (base.metric) throw Error("InvalidArgument", "a metric file is loaded onto a map's own weights, not onto a metric");
  const auto t0 = std::chrono::steady_clock::now();
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw Error("MetricNotFound", "cannot open metric file " + path + ": " + std::strerror(errno));
  struct stat st;
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) throw Error("MetricNotFound", "not a regular file: " + path);
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  auto corrupt = [&](const std::string& why) { return Error("MetricCorrupt", path + ": " + why); };

  MetricFileHeader h;
  std::memset(static_cast<void*>(&h), 0, sizeof(h));  // padding included: the header checksum covers every byte
  if (size < sizeof(kMetricMagic) || !readAll(fd.get(), h.magic, sizeof(h.magic), 0) ||
      std::memcmp(h.magic, kMetricMagic, sizeof(kMetricMagic)) != 0)
    throw corrupt("not a Waymark metric file");
  if (size < offsetof(MetricFileHeader, header_bytes) + sizeof(uint32_t)) throw corrupt("truncated (" + std::to_string(size) + " bytes)");
  if (!readAll(fd.get(), &h.format_version, sizeof(h.format_version), offsetof(MetricFileHeader, format_version)))
    throw corrupt("unreadable header");
  if (h.format_version != kMetricFormatVersion)
    throw Error("MetricVersionUnsupported", path + " has metric format version " + std::to_string(h.format_version) + " (this build reads " +
                                                std::to_string(kMetricFormatVersion) + "); write it again with `waymark traffic ... -o`");
  if (size < sizeof(MetricFileHeader)) throw corrupt("truncated (" + std::to_string(size) + " bytes)");
  if (!readAll(fd.get(), &h, sizeof(h), 0)) throw corrupt("unreadable header");
  if (h.header_bytes != sizeof(MetricFileHeader) || headerChecksum(h) != h.checksum) throw corrupt("damaged header (checksum mismatch)");
  if (h.file_bytes > size) throw corrupt("truncated (" + std::to_string(size) + " of " + std::to_string(h.file_bytes) + " bytes)");
  if (h.file_bytes < size) throw corrupt(std::to_string(size - h.file_bytes) + " unexpected trailing bytes");
  const uint64_t map_checksum = base.file->header().checksum;
  if (h.map_checksum != map_checksum) {
    char want[17], got[17];
    std::snprintf(want, sizeof(want), "%016llx", static_cast<unsigned long long>(map_checksum));
    std::snprintf(got, sizeof(got), "%016llx", static_cast<unsigned long long>(h.map_checksum));
    throw Error("MetricMismatch", path + " was customized for map " + got + ", not for " + base.file->path() + " (" + want +
                                      "): write it again against this map");
  }
  if (h.map_segment_count != base.eb.segmentCount() || h.map_turn_count != base.eb.turn_head.size())
    throw corrupt("its sizes do not match the map it names");
  if (h.section_count > kMaxMetricSections) throw corrupt("damaged section table");
  if (h.key[sizeof(h.key) - 1] != '\0') throw corrupt("damaged header");

  auto data = std::make_shared<MetricData>();
  data->key = std::move(key);
  data->version = version;
  data->customize_ms = h.customize_ms;
  data->weights.weight_is_travel_time = h.weight_is_travel_time != 0;
  std::vector<bool> seen(h.section_count, false);
  forEachSection(*data, !data->weights.weight_is_travel_time, [&](const char* name, auto& v) {
    using T = std::decay_t<decltype(v[0])>;
    for (uint32_t i = 0; i < h.section_count; ++i) {
      const MetricSectionEntry& e = h.sections[i];
      if (std::strncmp(e.name, name, sizeof(e.name)) != 0) continue;
      if (seen[i] || e.element_size != sizeof(T) || e.bytes % sizeof(T) != 0 || e.offset % kAlign != 0 || e.offset < sizeof(MetricFileHeader) ||
          e.offset > h.file_bytes || e.bytes > h.file_bytes - e.offset)
        throw corrupt(std::string("damaged section table (") + name + ")");
      seen[i] = true;
      v.resize(e.bytes / sizeof(T));
      if (!readAll(fd.get(), v.data(), e.bytes, e.offset)) throw corrupt(std::string("cannot read section ") + name);
      if (checksumOf(v.data(), e.bytes) != e.checksum) throw corrupt(std::string("section ") + name + " is damaged (checksum mismatch)");
      return;
    }
    throw corrupt(std::string("section ") + name + " is missing");
  });
  const size_t segments = base.eb.segmentCount(), turns = base.eb.turn_head.size();
  const MetricWeights& w = data->weights;
  if (w.segment_weight.size() != segments || w.segment_travel_ms.size() != segments || w.segment_flags.size() != segments ||
      w.turn_weight.size() != turns || w.turn_travel_ms.size() != turns)
    throw corrupt("its weights do not match the map's edge-based graph");
  if (!consistentHierarchy(data->ch, base.eb)) throw corrupt("inconsistent hierarchy");
  if (!w.weight_is_travel_time &&
      (data->up_travel_ms.size() != data->ch.up_head.size() || data->down_travel_ms.size() != data->ch.down_head.size()))
    throw corrupt("its travel times do not match its hierarchy");

  LoadedMetricFile out;
  out.info.traffic_version = h.traffic_version;
  out.info.created_unix_ms = h.created_unix_ms;
  out.info.stats = h.stats;
  out.bytes = h.file_bytes;
  out.view = std::make_shared<const LoadedMap>(base, std::shared_ptr<const MetricData>(data));
  out.load_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

}  // namespace waymark
