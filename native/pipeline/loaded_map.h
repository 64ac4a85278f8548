#pragma once
// A map file opened for queries: the mapping plus typed views of its parts. Immutable once loaded,
// so any number of threads may query it at once; each query borrows its own scratch space from the
// map's pool (handed back when the query ends).
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ch/ch_graph.h"
#include "ch/ch_query.h"
#include "graph/edge_based_map.h"
#include "graph/map_file.h"
#include "graph/road_map.h"
#include "spatial/snap_index.h"

namespace waymark {

class CHQueryPool {
 public:
  explicit CHQueryPool(uint32_t node_count) : node_count_(node_count) {}
  class Lease {
   public:
    Lease(CHQueryPool& pool, std::unique_ptr<CHQuery> q) : pool_(pool), query_(std::move(q)) {}
    ~Lease() { pool_.release(std::move(query_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    CHQuery& operator*() { return *query_; }
    CHQuery* operator->() { return query_.get(); }

   private:
    CHQueryPool& pool_;
    std::unique_ptr<CHQuery> query_;
  };
  Lease acquire();

 private:
  void release(std::unique_ptr<CHQuery> q);
  uint32_t node_count_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<CHQuery>> free_;
};

struct LoadedMap {
  std::shared_ptr<const MappedMap> file;
  RoadMap road;
  EdgeBasedView eb;
  CHGraph ch;
  SnapIndex snap;
  mutable CHQueryPool queries;

  explicit LoadedMap(std::shared_ptr<const MappedMap> f);
  // snapToRoad on this map: roads with a direction in the largest component, or any road.
  SnapResult snapPoint(double lon, double lat, double radius_m, bool allow_isolated = false) const;
  // One LoadedMap per file (identified by device, inode, size and mtime) per process: the worker
  // threads of a server share the mapping instead of mapping the file once each.
  static std::shared_ptr<const LoadedMap> openShared(const std::string& path);
};

}  // namespace waymark
