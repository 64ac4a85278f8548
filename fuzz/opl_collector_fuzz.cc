// libFuzzer target: arbitrary text through the streaming OPL reader into the OSM collector (the
// car profile's shape), pushed in two chunks split at a byte chosen by the input.
#include <cstddef>
#include <cstdint>

#include "common/error.h"
#include "osm/opl_reader.h"
#include "osm/osm_collector.h"

namespace {

waymark::Profile carLikeProfile() {
  waymark::Profile p;
  p.name = "car";
  p.highway_speeds = {{"primary", 65}, {"residential", 25}, {"service", 15}, {"motorway", 90}};
  p.service_speeds = {{"parking_aisle", 0}};
  p.surface_speeds = {{"gravel", 40}};
  p.access_tags = {"access", "vehicle", "motor_vehicle", "motorcar"};
  p.access_denied = {"no", "private"};
  p.access_allowed = {"yes", "designated"};
  p.oneway_tags = {"oneway"};
  p.implied_oneway_highways = {"motorway"};
  p.implied_oneway_junctions = {"roundabout"};
  p.maxspeed_zones = {{"urban", 50}};
  p.barrier_passable = {"gate"};
  p.restriction_tags = {"restriction:motorcar", "restriction"};
  p.vehicle_types = {"motorcar"};
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  waymark::OsmCollector collector(carLikeProfile());
  waymark::OplReader reader(collector);
  const size_t split = size == 0 ? 0 : data[0] % (size + 1);
  try {
    reader.push(reinterpret_cast<const char*>(data), split);
    reader.push(reinterpret_cast<const char*>(data) + split, size - split);
    reader.finish();
  } catch (const waymark::Error&) {
    // malformed input is reported with a code: that is the expected outcome
  }
  return 0;
}
