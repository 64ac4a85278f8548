#pragma once
// A map file opened for queries: the mapping plus typed views of its parts. Immutable once loaded,
// so any number of threads may query it at once; each query brings its own scratch space.
#include <memory>
#include <string>

#include "graph/map_file.h"
#include "graph/road_map.h"

namespace waymark {

struct LoadedMap {
  std::shared_ptr<const MappedMap> file;
  RoadMap road;

  explicit LoadedMap(std::shared_ptr<const MappedMap> f);
  // One LoadedMap per file (identified by device, inode, size and mtime) per process: the worker
  // threads of a server share the mapping instead of mapping the file once each.
  static std::shared_ptr<const LoadedMap> openShared(const std::string& path);
};

}  // namespace waymark
