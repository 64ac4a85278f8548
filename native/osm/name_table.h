#pragma once
// Street names, each stored once: id 0 is the empty name.
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace waymark {

class NameTable {
 public:
  NameTable() { first_.push_back(0), first_.push_back(0); }
  uint32_t intern(std::string_view name) {
    if (name.empty()) return 0;
    auto it = ids_.find(std::string(name));
    if (it != ids_.end()) return it->second;
    const uint32_t id = static_cast<uint32_t>(first_.size() - 1);
    chars_.append(name);
    first_.push_back(static_cast<uint32_t>(chars_.size()));
    ids_.emplace(std::string(name), id);
    return id;
  }
  size_t size() const { return first_.size() - 1; }
  const std::vector<uint32_t>& first() const { return first_; }
  const std::string& chars() const { return chars_; }

 private:
  std::unordered_map<std::string, uint32_t> ids_;
  std::vector<uint32_t> first_;  // CSR offsets into chars_, one more than names
  std::string chars_;
};

}  // namespace waymark
