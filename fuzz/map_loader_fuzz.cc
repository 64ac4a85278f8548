// libFuzzer target: arbitrary bytes as a map file. The checksum is not verified here, so mutated
// valid maps (the seed corpus) reach the structural checks of every section rather than stopping
// at the checksum; a map that loads must also answer a snap and a route without faulting.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "common/error.h"
#include "graph/map_file.h"
#include "pipeline/loaded_map.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/waymark-fuzz-map-" + std::to_string(getpid()) + ".wmap";
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  try {
    auto file = waymark::MappedMap::open(path, /*verify_checksum=*/false);
    waymark::LoadedMap map(file);
    const auto snap = map.snapPoint(7.4197, 43.7314, 1000);
    (void)snap;
  } catch (const waymark::Error&) {
    // refused with a code (MapCorrupt, MapTruncated, ...): the expected outcome for most inputs
  }
  std::remove(path.c_str());
  return 0;
}
