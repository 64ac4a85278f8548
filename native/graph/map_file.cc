#include "graph/map_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "common/checksum.h"

namespace waymark {

namespace {

constexpr uint64_t kAlign = 64;
uint64_t alignUp(uint64_t x) { return (x + kAlign - 1) / kAlign * kAlign; }

class File {
 public:
  File(const std::string& path, const char* mode) : f_(std::fopen(path.c_str(), mode)) {}
  ~File() {
    if (f_) std::fclose(f_);
  }
  std::FILE* get() const { return f_; }
  int close() {
    int r = std::fclose(f_);
    f_ = nullptr;
    return r;
  }

 private:
  std::FILE* f_;
};

}  // namespace

uint64_t mapChecksum(const uint8_t* data, size_t size) {
  MapHeader header;
  std::memcpy(&header, data, sizeof(MapHeader));
  header.checksum = 0;
  Checksum64 sum;
  sum.update(&header, sizeof(MapHeader));
  sum.update(data + sizeof(MapHeader), size - sizeof(MapHeader));
  return sum.digest();
}

void MapWriter::addBytes(const char* name, const void* data, uint64_t bytes, uint32_t element_size) {
  if (std::strlen(name) >= sizeof(MapSectionEntry::name)) throw Error("Internal", std::string("section name too long: ") + name);
  if (sections_.size() >= kMaxSections) throw Error("Internal", "too many map sections");
  sections_.push_back({name, data, bytes, element_size});
}

void MapWriter::write(const std::string& path, MapHeader& header) const {
  std::memcpy(header.magic, kMapMagic, sizeof(kMapMagic));
  header.format_version = kMapFormatVersion;
  header.header_bytes = sizeof(MapHeader);
  header.section_count = static_cast<uint32_t>(sections_.size());
  uint64_t offset = alignUp(sizeof(MapHeader));
  for (size_t i = 0; i < sections_.size(); ++i) {
    MapSectionEntry& e = header.sections[i];
    std::memset(&e, 0, sizeof(e));
    std::strncpy(e.name, sections_[i].name.c_str(), sizeof(e.name) - 1);
    e.offset = offset;
    e.bytes = sections_[i].bytes;
    e.element_size = sections_[i].element_size;
    offset = alignUp(offset + e.bytes);
  }
  header.file_bytes = offset;
  header.checksum = 0;

  // Checksum over the image exactly as it will be on disk.
  static const uint8_t zeros[kAlign] = {};
  Checksum64 sum;
  sum.update(&header, sizeof(MapHeader));
  uint64_t pos = sizeof(MapHeader);
  auto pad = [&](uint64_t to, auto&& sink) {
    while (pos < to) {
      const uint64_t n = std::min<uint64_t>(to - pos, kAlign);
      sink(zeros, n);
      pos += n;
    }
  };
  auto hash = [&](const void* d, uint64_t n) { sum.update(d, n); };
  for (size_t i = 0; i < sections_.size(); ++i) {
    pad(header.sections[i].offset, hash);
    sum.update(sections_[i].data, sections_[i].bytes);
    pos += sections_[i].bytes;
  }
  pad(header.file_bytes, hash);
  header.checksum = sum.digest();

  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  File file(tmp, "wb");
  if (!file.get()) throw Error("OutputNotWritable", "cannot write " + path + ": " + std::strerror(errno));
  std::vector<char> buffer(1 << 20);
  std::setvbuf(file.get(), buffer.data(), _IOFBF, buffer.size());
  bool ok = true;
  auto put = [&](const void* d, uint64_t n) { ok = ok && (n == 0 || std::fwrite(d, 1, n, file.get()) == n); };
  put(&header, sizeof(MapHeader));
  pos = sizeof(MapHeader);
  for (size_t i = 0; i < sections_.size(); ++i) {
    pad(header.sections[i].offset, put);
    put(sections_[i].data, sections_[i].bytes);
    pos += sections_[i].bytes;
  }
  pad(header.file_bytes, put);
  const int saved_errno = errno;
  if (!ok || std::fflush(file.get()) != 0 || ::fsync(::fileno(file.get())) != 0 || file.close() != 0) {
    ::unlink(tmp.c_str());
    throw Error("OutputNotWritable", "cannot write " + path + ": " + std::strerror(saved_errno ? saved_errno : errno));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    throw Error("OutputNotWritable", "cannot move the map into place at " + path + ": " + std::strerror(e));
  }
}

std::shared_ptr<const MappedMap> MappedMap::open(const std::string& path, bool verify_checksum) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error("MapNotFound", "cannot open map " + path + ": " + std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw Error("MapNotFound", "not a regular file: " + path);
  }
  const size_t size = static_cast<size_t>(st.st_size);
  if (size < sizeof(MapHeader)) {
    char magic[sizeof(kMapMagic)] = {};
    const bool ours = size >= sizeof(kMapMagic) && ::pread(fd, magic, sizeof(magic), 0) == static_cast<ssize_t>(sizeof(magic)) &&
                      std::memcmp(magic, kMapMagic, sizeof(magic)) == 0;
    ::close(fd);
    if (ours) throw Error("MapTruncated", "map file " + path + " is truncated (" + std::to_string(size) + " bytes)");
    throw Error("MapNotWaymark", path + " is not a Waymark map file");
  }
  void* base = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (base == MAP_FAILED) throw Error("MapNotFound", "cannot map " + path + ": " + std::strerror(errno));
  std::shared_ptr<MappedMap> map(new MappedMap());
  map->base_ = static_cast<const uint8_t*>(base);
  map->size_ = size;
  map->path_ = path;

  const MapHeader& h = map->header();
  if (std::memcmp(h.magic, kMapMagic, sizeof(kMapMagic)) != 0) throw Error("MapNotWaymark", path + " is not a Waymark map file");
  if (h.format_version > kMapFormatVersion)
    throw Error("MapVersionUnsupported", path + " has map format version " + std::to_string(h.format_version) +
                                             ", newer than this build reads (" + std::to_string(kMapFormatVersion) + "); upgrade Waymark");
  if (h.format_version < kMapFormatVersion)
    throw Error("MapVersionUnsupported", path + " has old map format version " + std::to_string(h.format_version) +
                                             " (this build reads " + std::to_string(kMapFormatVersion) + "); rebuild it with `waymark build`");
  if (h.header_bytes != sizeof(MapHeader)) throw Error("MapCorrupt", path + " has a damaged header");
  if (h.file_bytes > size) throw Error("MapTruncated", "map file " + path + " is truncated (" + std::to_string(size) + " of " + std::to_string(h.file_bytes) + " bytes)");
  if (h.file_bytes < size) throw Error("MapCorrupt", path + " has " + std::to_string(size - h.file_bytes) + " unexpected trailing bytes");
  if (h.section_count > kMaxSections) throw Error("MapCorrupt", path + " has a damaged section table");
  for (uint32_t i = 0; i < h.section_count; ++i) {
    const MapSectionEntry& s = h.sections[i];
    if (s.name[sizeof(s.name) - 1] != '\0' || s.offset % kAlign != 0 || s.offset < sizeof(MapHeader) || s.offset > size ||
        s.bytes > size - s.offset || s.element_size == 0 || s.bytes % s.element_size != 0)
      throw Error("MapCorrupt", path + " has a damaged section table");
  }
  if (verify_checksum && mapChecksum(map->base_, size) != h.checksum)
    throw Error("MapCorrupt", path + " is corrupted (checksum mismatch)");
  return map;
}

MappedMap::~MappedMap() {
  if (base_) ::munmap(const_cast<uint8_t*>(base_), size_);
}

bool MappedMap::has(const char* name) const {
  const MapHeader& h = header();
  for (uint32_t i = 0; i < h.section_count; ++i)
    if (std::strncmp(h.sections[i].name, name, sizeof(h.sections[i].name)) == 0) return true;
  return false;
}

const MapSectionEntry& MappedMap::find(const char* name, uint32_t element_size) const {
  const MapHeader& h = header();
  for (uint32_t i = 0; i < h.section_count; ++i) {
    const MapSectionEntry& s = h.sections[i];
    if (std::strncmp(s.name, name, sizeof(s.name)) != 0) continue;
    if (s.element_size != element_size) throw Error("MapCorrupt", path_ + ": section " + name + " has the wrong element size");
    return s;
  }
  throw Error("MapCorrupt", path_ + ": section " + name + " is missing");
}

}  // namespace waymark
