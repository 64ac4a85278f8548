// Contraction harness (issue 19): contracts a map's own edge-based graph with native/ch/contraction.cc,
// prints CPU and wall time, the phases, arcs and a fingerprint of the hierarchy (equal fingerprints:
// the same hierarchy), then checks random pairs against Dijkstra and prints settled nodes per query.
// Not part of the addon; build it beside a checkout (compare two versions of contraction.cc by
// building it twice):
//   N=native; for f in graph/map_file graph/edge_based_map ch/ch_graph ch/ch_query ch/contraction; do
//     g++ -std=c++20 -O3 -pthread -I$N -c $N/$f.cc -o /tmp/$(basename $f).o; done
//   g++ -std=c++20 -O3 -pthread -I$N bench/native/contraction-harness.cc /tmp/{map_file,edge_based_map,ch_graph,ch_query,contraction}.o -o /tmp/contraction-harness
//   /tmp/contraction-harness <map.wmap> [threads=1] [pairs=200] [simulate settle] [simulate scan] [contract settle]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <queue>
#include <random>

#include "ch/ch_graph.h"
#include "ch/ch_query.h"
#include "ch/contraction.h"
#include "graph/edge_based_map.h"
#include "graph/map_file.h"

using namespace waymark;

static double cpu() {
  rusage r;
  getrusage(RUSAGE_SELF, &r);
  return r.ru_utime.tv_sec + r.ru_stime.tv_sec + 1e-6 * (r.ru_utime.tv_usec + r.ru_stime.tv_usec);
}

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  const unsigned threads = argc > 2 ? atoi(argv[2]) : 1;
  const int pairs = argc > 3 ? atoi(argv[3]) : 200;
  auto map = MappedMap::open(argv[1], false);
  EdgeBasedView eb(*map, map->header().edge_count);
  std::vector<uint32_t> first(eb.turn_first.begin(), eb.turn_first.end()), head(eb.turn_head.begin(), eb.turn_head.end()),
      weight(eb.turn_weight.begin(), eb.turn_weight.end()), dist(head.size());
  const uint32_t n = first.size() - 1;
  for (uint32_t s = 0; s < n; ++s)
    for (uint32_t i = first[s]; i < first[s + 1]; ++i) dist[i] = eb.segment_length_cm[s];
  ContractionStats stats;
  ContractionOptions opt;
  opt.threads = threads;
  opt.stats = &stats;
  if (argc > 4) opt.simulate_settle_limit = atoi(argv[4]);
  if (argc > 5) opt.simulate_scan_limit = atoi(argv[5]);
  if (argc > 6) opt.contract_settle_limit = atoi(argv[6]);
  const double c0 = cpu();
  const auto w0 = std::chrono::steady_clock::now();
  ContractionHierarchy ch = buildContractionHierarchy(first, head, weight, dist, opt);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
  const double cputime = cpu() - c0;
  uint64_t fp = 1469598103934665603ull;
  auto mix = [&](const std::vector<uint32_t>& v) {
    for (uint32_t x : v) fp = (fp ^ x) * 1099511628211ull;
  };
  mix(ch.rank), mix(ch.up_head), mix(ch.up_weight), mix(ch.up_middle), mix(ch.down_head), mix(ch.down_weight), mix(ch.down_middle);
  printf("segments %u threads %u cpu %.2f wall %.2f arcs %zu shortcuts %llu rounds %u updates %llu fp %016llx\n", n, threads,
         cputime, wall, ch.up_head.size() + ch.down_head.size(), (unsigned long long)stats.shortcuts, stats.rounds,
         (unsigned long long)stats.priority_updates, (unsigned long long)fp);
  { rusage r; getrusage(RUSAGE_SELF, &r); printf("maxrss %ld MB\n", r.ru_maxrss / 1024); }
  printf("phases init %.2f select %.2f witness %.2f apply %.2f updates %.2f finish %.2f\n", stats.seconds_initial_priorities,
         stats.seconds_select, stats.seconds_witness, stats.seconds_apply, stats.seconds_priority_updates, stats.seconds_finish);
  if (pairs <= 0) return 0;
  CHGraph g(ch);
  CHQuery q(n);
  std::mt19937 rng(42);
  std::vector<uint64_t> d(n);
  uint64_t settled = 0, bad = 0, found = 0;
  for (int p = 0; p < pairs; ++p) {
    const uint32_t s = rng() % n, t = rng() % n;
    std::fill(d.begin(), d.end(), UINT64_MAX);
    using E = std::pair<uint64_t, uint32_t>;
    std::priority_queue<E, std::vector<E>, std::greater<E>> pq;
    d[s] = 0;
    pq.push({0, s});
    while (!pq.empty()) {
      auto [dd, x] = pq.top();
      pq.pop();
      if (dd != d[x]) continue;
      if (x == t) break;
      for (uint32_t i = first[x]; i < first[x + 1]; ++i)
        if (dd + weight[i] < d[head[i]]) d[head[i]] = dd + weight[i], pq.push({dd + weight[i], head[i]});
    }
    SearchEndpoint src{s, 0, 0}, dst{t, 0, 0};
    CHResult r = q.run(g, std::span<const SearchEndpoint>(&src, 1), std::span<const SearchEndpoint>(&dst, 1));
    settled += q.settled();
    const bool reach = d[t] != UINT64_MAX;
    if (reach != r.found || (reach && uint64_t(r.duration_ms) != d[t])) ++bad;
    found += reach;
  }
  printf("pairs %d found %llu mismatches %llu settled/query %.1f\n", pairs, (unsigned long long)found, (unsigned long long)bad,
         double(settled) / pairs);
  return bad ? 1 : 0;
}
