#pragma once
// A fast 64-bit checksum for map files (four independent multiply-rotate lanes over 8-byte words).
// It detects corruption and truncation; it is not a cryptographic hash.
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace waymark {

class Checksum64 {
 public:
  void update(const void* data, size_t bytes) {
    const auto* p = static_cast<const uint8_t*>(data);
    // Fill a partial block first so that the result does not depend on how the input is split.
    while (bytes > 0 && pending_ != 0) {
      block_[pending_++] = *p++;
      --bytes;
      if (pending_ == sizeof(block_)) {
        mixBlock(block_);
        pending_ = 0;
      }
    }
    while (bytes >= sizeof(block_)) {
      mixBlock(p);
      p += sizeof(block_);
      bytes -= sizeof(block_);
    }
    if (bytes > 0) std::memcpy(block_, p, bytes);  // p may be null for an empty section (UBSan)
    pending_ = bytes;
  }

  uint64_t digest() const {
    uint64_t h = rotl(lanes_[0], 1) + rotl(lanes_[1], 7) + rotl(lanes_[2], 12) + rotl(lanes_[3], 18);
    for (size_t i = 0; i < pending_; ++i) h = (h ^ block_[i]) * 0x100000001b3ULL;
    h ^= blocks_ * 32 + pending_;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
  }

 private:
  static uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
  void mixBlock(const uint8_t* p) {
    for (int lane = 0; lane < 4; ++lane) {
      uint64_t w;
      std::memcpy(&w, p + lane * 8, 8);
      lanes_[lane] = rotl(lanes_[lane] + w * 0xc2b2ae3d27d4eb4fULL, 31) * 0x9e3779b185ebca87ULL;
    }
    ++blocks_;
  }

  uint64_t lanes_[4] = {0x60ea27eeadc0b5d6ULL, 0xc2b2ae3d27d4eb4fULL, 0x0ULL, 0x61c8864e7a143579ULL};
  uint8_t block_[32] = {};
  size_t pending_ = 0;
  uint64_t blocks_ = 0;
};

}  // namespace waymark
