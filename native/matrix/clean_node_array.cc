#include "matrix/clean_node_array.h"

#include <mutex>

namespace waymark {

namespace {

std::mutex pool_mutex;
std::vector<std::unique_ptr<std::vector<uint32_t>>> pool;

}  // namespace

std::unique_ptr<std::vector<uint32_t>> borrowCleanNodeArray(uint32_t node_count) {
  std::unique_ptr<std::vector<uint32_t>> a;
  {
    std::lock_guard<std::mutex> lock(pool_mutex);
    if (!pool.empty()) {
      a = std::move(pool.back());
      pool.pop_back();
    }
  }
  if (!a) a = std::make_unique<std::vector<uint32_t>>();
  if (a->size() < node_count) a->resize(node_count, kCleanNodeValue);
  return a;
}

void returnCleanNodeArray(std::unique_ptr<std::vector<uint32_t>> array) {
  if (!array) return;
  std::lock_guard<std::mutex> lock(pool_mutex);
  pool.push_back(std::move(array));
}

}  // namespace waymark
