#pragma once
// An error with a machine-readable code. The binding turns it into a JS Error whose `code`
// property is this code, so callers can branch on it (NoSegment, NoRoute, InvalidMap, ...).
#include <stdexcept>
#include <string>
#include <utility>

namespace waymark {

class Error : public std::runtime_error {
 public:
  Error(std::string code, const std::string& message) : std::runtime_error(message), code_(std::move(code)) {}
  const std::string& code() const { return code_; }

 private:
  std::string code_;
};

}  // namespace waymark
