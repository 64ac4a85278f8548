// LeakSanitizer driver (not a fuzz target): the whole native path of `waymark build` and of a VRP
// solve in a process of our own, so that leaks are visible without Node's and V8's own at-exit
// allocations. Built with ASan + UBSan by scripts/leak-check.mjs, which feeds it the real profile
// and the real osmium OPL of the bundled extract:
//   leak_check <profile.tsv> <routable.opl> <out.wmap>
// profile.tsv: one field of the profile table per line, `key<TAB>value<TAB>value...` (speed tables
// as name=km/h, pairs as key=value, node penalties as key=value=seconds).
// Steps: OPL reader + OSM collector, buildMap (graph, restrictions, edge-based graph, contraction,
// snap index, file), LoadedMap, snapping, routes, a many-to-many matrix, then a VRP on that matrix
// solved on two threads, and every object destroyed. Exit 0 when all ran; LSan then reports (exit 23)
// any allocation left.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "common/error.h"
#include "matrix/many_to_many.h"
#include "osm/opl_reader.h"
#include "osm/osm_collector.h"
#include "pipeline/build_map.h"
#include "pipeline/loaded_map.h"
#include "route/route.h"
#include "vrp/algorithms/solver.h"

namespace {

// WAYMARK_LEAK_CHECK_PLANT=1 leaks one allocation on purpose: the check that LSan is watching.
char* volatile planted = nullptr;

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(s);
  while (std::getline(in, item, sep)) out.push_back(item);
  return out;
}

std::pair<std::string, std::string> keyValue(const std::string& s) {
  const size_t eq = s.rfind('=');
  if (eq == std::string::npos) throw waymark::Error("InvalidArgument", "profile: expected key=value, got " + s);
  return {s.substr(0, eq), s.substr(eq + 1)};
}

waymark::Profile readProfile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw waymark::Error("InvalidArgument", "cannot read " + path);
  waymark::Profile p;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<std::string> f = split(line, '\t');
    const std::string key = f[0];
    f.erase(f.begin());
    const auto one = [&]() -> const std::string& {
      if (f.size() != 1) throw waymark::Error("InvalidArgument", "profile." + key + ": one value expected");
      return f[0];
    };
    const auto speeds = [&](waymark::SpeedTable& t) {
      for (const auto& s : f) {
        auto [k, v] = keyValue(s);
        t[k] = std::stod(v);
      }
    };
    const auto set = [&](waymark::StringSet& t) { t.insert(f.begin(), f.end()); };
    const auto pairs = [&](std::vector<std::pair<std::string, std::string>>& t) {
      for (const auto& s : f) t.push_back(keyValue(s));
    };
    if (key == "name") p.name = one();
    else if (key == "highwaySpeeds") speeds(p.highway_speeds);
    else if (key == "serviceSpeeds") speeds(p.service_speeds);
    else if (key == "surfaceSpeeds") speeds(p.surface_speeds);
    else if (key == "accessValueSpeeds") speeds(p.access_value_speeds);
    else if (key == "accessTags") p.access_tags = f;
    else if (key == "accessDenied") set(p.access_denied);
    else if (key == "accessAllowed") set(p.access_allowed);
    else if (key == "accessAllowedSpeed") p.access_allowed_speed = std::stod(one());
    else if (key == "oneway") p.oneway = one() == "true";
    else if (key == "onewayTags") p.oneway_tags = f;
    else if (key == "onewayExemptions") pairs(p.oneway_exemptions);
    else if (key == "impliedOnewayHighways") set(p.implied_oneway_highways);
    else if (key == "impliedOnewayJunctions") set(p.implied_oneway_junctions);
    else if (key == "useMaxspeed") p.use_maxspeed = one() == "true";
    else if (key == "maxspeedFactor") p.maxspeed_factor = std::stod(one());
    else if (key == "maxspeedNone") p.maxspeed_none = std::stod(one());
    else if (key == "maxspeedZones") speeds(p.maxspeed_zones);
    else if (key == "ferries") p.ferries = one() == "true";
    else if (key == "ferrySpeed") p.ferry_speed = std::stod(one());
    else if (key == "barrierPassable") set(p.barrier_passable);
    else if (key == "restrictionTags") p.restriction_tags = f;
    else if (key == "vehicleTypes") set(p.vehicle_types);
    else if (key == "excludedTags") pairs(p.excluded_tags);
    else if (key == "uTurnPenaltyS") p.u_turn_penalty_s = std::stod(one());
    else if (key == "trafficSignalPenaltyS") p.traffic_signal_penalty_s = std::stod(one());
    else if (key == "nodePenalties") {
      for (const auto& s : f) {
        const std::vector<std::string> kvs = split(s, '=');
        if (kvs.size() != 3) throw waymark::Error("InvalidArgument", "profile.nodePenalties: key=value=seconds expected");
        p.node_penalties.push_back({kvs[0], kvs[1], std::stod(kvs[2])});
      }
    } else if (key == "timeVaryingOneway") p.time_varying_oneway_open = one() == "open";
    else if (key == "timeVaryingOnewayPenaltyS") p.time_varying_oneway_penalty_s = std::stod(one());
    else throw waymark::Error("InvalidArgument", "profile: unknown field " + key);
  }
  return p;
}

// Import: the OPL stream in 64 KB chunks (as osmium's pipe delivers it), then the whole build.
waymark::BuildMapSummary importMap(const waymark::Profile& profile, const std::string& opl, const std::string& out) {
  waymark::OsmCollector collector(profile);
  waymark::OplReader reader(collector);
  std::ifstream in(opl, std::ios::binary);
  if (!in) throw waymark::Error("InvalidArgument", "cannot read " + opl);
  std::vector<char> chunk(64 << 10);
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    reader.push(chunk.data(), static_cast<size_t>(in.gcount()));
  }
  reader.finish();
  waymark::BuildMapOptions options;
  options.output_path = out;
  options.source_name = "leak-check";
  options.threads = 2;
  return waymark::buildMap(collector, options, [](const char*, uint64_t, uint64_t) {});
}

// Queries on the new map, then a VRP on its matrix (several threads: per-thread scratch included).
void queryAndSolve(const std::string& path) {
  std::shared_ptr<const waymark::LoadedMap> map = waymark::LoadedMap::openShared(path);
  const auto& h = map->file->header();
  std::vector<waymark::SnapResult> points;
  uint64_t state = 42;
  const auto next = [&]() {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return double(state >> 11) / double(1ull << 53);
  };
  for (int i = 0; points.size() < 24 && i < 1000; ++i) {
    const double lon = h.bbox[0] + (h.bbox[2] - h.bbox[0]) * next();
    const double lat = h.bbox[1] + (h.bbox[3] - h.bbox[1]) * next();
    const waymark::SnapResult s = map->snapPoint(lon, lat, 500);
    if (s.found) points.push_back(s);
  }
  if (points.size() < 24) throw waymark::Error("NoSegment", "too few road points");
  size_t routes = 0;
  for (size_t i = 0; i + 1 < points.size(); i += 2) {
    try {
      const waymark::RouteResult r = waymark::routeThrough(*map, {points[i], points[i + 1]}, true);
      routes += r.legs.size();
    } catch (const waymark::Error&) {
      // NoRoute between two points is an answer
    }
  }
  const uint32_t n = static_cast<uint32_t>(points.size());
  std::vector<int64_t> ms(size_t(n) * n), cm(size_t(n) * n);
  waymark::ManyToManyOptions mo;
  mo.threads = 2;
  waymark::manyToMany(*map, points, points, mo, [&](uint32_t s, uint32_t begin, uint32_t count, const int64_t* d, const int64_t* c) {
    std::copy(d, d + count, ms.begin() + size_t(s) * n + begin);
    std::copy(c, c + count, cm.begin() + size_t(s) * n + begin);
  });

  using namespace waymark::vrp;
  Problem p;
  p.dims = 1;
  p.locations = n;
  VehicleType vt;
  vt.locations = n;
  for (size_t i = 0; i < size_t(n) * n; ++i) {
    const bool reachable = ms[i] != waymark::kUnreachable;
    vt.duration.push_back(reachable ? int32_t(ms[i] / 1000) : 1'000'000);
    vt.distance.push_back(reachable ? int32_t(cm[i] / 100) : 1'000'000);
  }
  vt.cost = vt.duration;
  p.types.push_back(vt);
  p.tw_first.push_back(0);
  p.skill_first.push_back(0);
  for (uint32_t t = 0; t + 1 < n; ++t) {
    // Jobs and a few shipments (tasks 0..5 paired), with windows, amounts and skills.
    const bool shipment = t < 6;
    p.kind.push_back(shipment ? (t % 2 == 0 ? TaskKind::kPickup : TaskKind::kDelivery) : TaskKind::kJob);
    p.partner.push_back(shipment ? int32_t(t % 2 == 0 ? t + 1 : t - 1) : kNone);
    p.location.push_back(t + 1);
    p.service.push_back(120);
    p.setup.push_back(t % 3 == 0 ? 30 : 0);
    p.tw.push_back({0, t % 4 == 0 ? 7200 : 36000});
    p.tw_first.push_back(static_cast<uint32_t>(p.tw.size()));
    p.delivery.push_back(p.kind.back() == TaskKind::kPickup ? 0 : 1);
    p.pickup.push_back(p.kind.back() == TaskKind::kPickup ? 1 : 0);
    if (t % 5 == 0 && !shipment) p.skills.push_back(1);
    p.skill_first.push_back(static_cast<uint32_t>(p.skills.size()));
    p.priority.push_back(t % 7);
  }
  p.vskill_first.push_back(0);
  p.break_first.push_back(0);
  p.break_tw_first.push_back(0);
  for (uint32_t v = 0; v < 3; ++v) {
    p.vehicle_type.push_back(0);
    p.start.push_back(0);
    p.end.push_back(v == 2 ? kNone : 0);
    p.capacity.push_back(8);
    if (v == 0) p.vskills.push_back(1);
    p.vskill_first.push_back(static_cast<uint32_t>(p.vskills.size()));
    p.vtw.push_back({0, 36000});
    if (v == 1) {
      p.break_tw.push_back({1800, 5400});
      p.break_tw_first.push_back(static_cast<uint32_t>(p.break_tw.size()));
      p.break_service.push_back(600);
    }
    p.break_first.push_back(static_cast<uint32_t>(p.break_service.size()));
    p.max_tasks.push_back(kNoLimit);
    p.max_travel_time.push_back(kNoLimit);
    p.max_distance.push_back(kNoLimit);
    p.fixed_cost.push_back(100);
  }
  p.validate();
  SolveOptions options;
  options.time_limit_s = 2;
  options.threads = 2;
  options.max_iterations = 2000;
  const SolveResult r = solve(p, options);
  size_t served = 0;
  for (const auto& route : r.best.routes) served += route.size();
  std::printf("leak_check: %u road points, %zu route legs, %u x %u matrix, VRP of %u tasks: %zu served, cost %lld, %llu iterations\n",
              n, routes, n, n, p.taskCount(), served, static_cast<long long>(r.best.cost), static_cast<unsigned long long>(r.iterations));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: leak_check <profile.tsv> <routable.opl> <out.wmap>\n");
    return 2;
  }
  try {
    const waymark::Profile profile = readProfile(argv[1]);
    const waymark::BuildMapSummary s = importMap(profile, argv[2], argv[3]);
    std::printf("leak_check: built %s: %llu nodes, %llu edges, %llu restrictions, %llu CH arcs, %llu bytes\n", argv[3],
                static_cast<unsigned long long>(s.nodes), static_cast<unsigned long long>(s.edges),
                static_cast<unsigned long long>(s.restrictions), static_cast<unsigned long long>(s.ch_arcs),
                static_cast<unsigned long long>(s.file_bytes));
    queryAndSolve(argv[3]);
    if (std::getenv("WAYMARK_LEAK_CHECK_PLANT")) {
      planted = new char[4242];
      planted = nullptr;
    }
  } catch (const waymark::Error& e) {
    std::fprintf(stderr, "leak_check: %s: %s\n", e.code().c_str(), e.what());
    return 1;
  }
  return 0;
}
