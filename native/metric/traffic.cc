#include "metric/traffic.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "common/error.h"
#include "common/geo.h"

namespace waymark {

namespace {

constexpr float kUnset = std::numeric_limits<float>::quiet_NaN();
constexpr double kMaxSpeedKmh = 1000;
constexpr double kMaxPenaltyS = 86400;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

}  // namespace

bool parseTrafficLine(std::string_view line, bool turn, TrafficLine& out, std::string& error) {
  std::string_view fields[6];
  size_t count = 0;
  for (size_t start = 0;;) {
    const size_t comma = line.find(',', start);
    if (count == 6) {
      count = 7;
      break;
    }
    fields[count++] = trim(line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  const size_t ids = turn ? 3 : 2;
  if (count != ids + 1 && count != ids + 2) {
    error = turn ? "expected 4 or 5 comma-separated fields (from_osm_node_id,via_osm_node_id,to_osm_node_id,penalty_s[,weight_penalty_s]), got " +
                       std::to_string(count)
                 : "expected 3 or 4 comma-separated fields (from_osm_node_id,to_osm_node_id,speed_kmh[,rate]), got " + std::to_string(count);
    if (count == 7) error = "too many fields";
    return false;
  }
  static const char* id_names[] = {"from_osm_node_id", "via_osm_node_id", "to_osm_node_id"};
  for (size_t i = 0; i < ids; ++i) {
    const std::string_view f = fields[i];
    const char* name = turn ? id_names[i] : id_names[i == 0 ? 0 : 2];
    auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), out.ids[i]);
    if (f.empty() || ec != std::errc() || end != f.data() + f.size() || out.ids[i] < 0) {
      error = std::string(name) + " '" + std::string(f) + "' is not a non-negative integer";
      return false;
    }
  }
  for (size_t v = 0; v + ids < count; ++v) {
    const std::string_view f = fields[ids + v];
    double x = 0;
    auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), x);
    const char* name = turn ? (v == 0 ? "penalty_s" : "weight_penalty_s") : (v == 0 ? "speed_kmh" : "rate");
    if (f.empty() || ec != std::errc() || end != f.data() + f.size() || !std::isfinite(x)) {
      error = std::string(name) + " '" + std::string(f) + "' is not a number";
      return false;
    }
    const bool ok = turn ? (x >= 0 && x <= kMaxPenaltyS) : v == 0 ? (x >= 0 && x <= kMaxSpeedKmh) : (x > 0 && x <= kMaxSpeedKmh);
    if (!ok) {
      error = std::string(name) + " " + std::string(f) + " is out of range (" +
              (turn ? "0 to 86400 seconds" : v == 0 ? "0 to 1000 km/h; 0 closes the segment" : "above 0, at most 1000 m/s") + ")";
      return false;
    }
    out.values[v] = x;
  }
  out.has_rate = count == ids + 2;
  return true;
}

TrafficUpdate::TrafficUpdate(const LoadedMap& base) : base_(base) {
  const RoadMap& road = base.road;
  const uint32_t edges = road.edgeCount();
  edge_sub_first_.resize(size_t(edges) + 1);
  uint32_t subs = 0;
  for (uint32_t e = 0; e < edges; ++e) {
    edge_sub_first_[e] = subs;
    subs += road.polylineSize(e) - 1;
  }
  edge_sub_first_[edges] = subs;
  speed_.assign(size_t(subs) * 2, kUnset);
  rate_.assign(size_t(subs) * 2, kUnset);
  index_.reserve(size_t(subs) * 2);
  for (uint32_t e = 0; e < edges; ++e) {
    const bool forward = base.eb.segment(e, 0) != kNoSegment, backward = base.eb.segment(e, 1) != kNoSegment;
    const uint32_t k = road.polylineSize(e);
    for (uint32_t j = 0; j + 1 < k; ++j) {
      const int64_t a = road.polylineOsmId(e, j), b = road.polylineOsmId(e, j + 1);
      const uint32_t sub = edge_sub_first_[e] + j;
      if (forward) index_.push_back({a, b, 2 * sub});
      if (backward) index_.push_back({b, a, 2 * sub + 1});
    }
  }
  std::sort(index_.begin(), index_.end());
  stats_.osm_segments = index_.size();
}

void TrafficUpdate::push(const char* data, size_t size) {
  if (finished_) throw Error("InvalidArgument", "this traffic update has finished");
  std::string_view chunk(data, size);
  while (!chunk.empty()) {
    const size_t nl = chunk.find('\n');
    if (nl == std::string_view::npos) {
      pending_.append(chunk);
      if (pending_.size() > 4096) throw Error("InvalidTrafficFile", "line " + std::to_string(stats_.lines + 1) + ": longer than 4096 bytes");
      return;
    }
    if (pending_.empty()) {
      line(chunk.substr(0, nl));
    } else {
      pending_.append(chunk.substr(0, nl));
      line(pending_);
      pending_.clear();
    }
    chunk.remove_prefix(nl + 1);
  }
}

void TrafficUpdate::line(std::string_view text) {
  ++stats_.lines;
  text = trim(text);
  if (text.empty()) return;
  if (text == "# turns") {
    in_turns_ = true;
    return;
  }
  TrafficLine parsed;
  std::string error;
  if (!parseTrafficLine(text, in_turns_, parsed, error)) throw Error("InvalidTrafficFile", "line " + std::to_string(stats_.lines) + ": " + error);
  auto range = [&](int64_t from, int64_t to) {
    const Key key{from, to, 0};
    return std::equal_range(index_.begin(), index_.end(), key);
  };
  if (!in_turns_) {
    ++stats_.speed_lines;
    auto [lo, hi] = range(parsed.ids[0], parsed.ids[1]);
    if (lo == hi) ++stats_.unknown_segments;
    for (auto it = lo; it != hi; ++it) {
      speed_[it->directed] = static_cast<float>(parsed.values[0]);
      rate_[it->directed] = parsed.has_rate ? static_cast<float>(parsed.values[1]) : kUnset;
    }
    return;
  }
  ++stats_.turn_lines;
  // The turn from every road segment ending with OSM segment from -> via into every one starting
  // with via -> to (and their via-way copies).
  const EdgeBasedView& eb = base_.eb;
  const RoadMap& road = base_.road;
  auto segmentOf = [&](uint32_t directed, bool last) -> uint32_t {
    const uint32_t sub = directed / 2, dir = directed % 2;
    const uint32_t e = static_cast<uint32_t>(std::upper_bound(edge_sub_first_.begin(), edge_sub_first_.end(), sub) - edge_sub_first_.begin() - 1);
    const uint32_t j = sub - edge_sub_first_[e], k = road.polylineSize(e);
    const bool at_end = (dir == 0) == last ? j + 2 == k : j == 0;  // last in travel order / first in travel order
    return at_end ? eb.segment(e, dir) : kNoSegment;
  };
  auto withCopies = [&](uint32_t s, std::vector<uint32_t>& out) {
    out.push_back(s);
    const auto [lo, hi] = eb.copiesOf(s);
    for (size_t k = lo; k < hi; ++k) out.push_back(eb.copy_index_segment[k]);
  };
  std::vector<uint32_t> in, out;
  auto [a, b] = range(parsed.ids[0], parsed.ids[1]);
  for (auto it = a; it != b; ++it)
    if (uint32_t s = segmentOf(it->directed, true); s != kNoSegment) withCopies(s, in);
  auto [c, d] = range(parsed.ids[1], parsed.ids[2]);
  for (auto it = c; it != d; ++it)
    if (uint32_t s = segmentOf(it->directed, false); s != kNoSegment) withCopies(s, out);
  bool found = false;
  for (uint32_t s1 : in)
    for (uint32_t i = eb.turn_first[s1]; i < eb.turn_first[s1 + 1]; ++i)
      if (std::find(out.begin(), out.end(), eb.turn_head[i]) != out.end() && eb.turn_weight[i] != kNotAllowed) {
        turns_.push_back({i, parsed.values[0], parsed.has_rate ? parsed.values[1] : parsed.values[0]});
        found = true;
      }
  if (!found) ++stats_.unknown_turns;
}

MetricWeights TrafficUpdate::finish() {
  if (!pending_.empty()) {
    line(pending_);
    pending_.clear();
  }
  finished_ = true;
  const EdgeBasedView& eb = base_.eb;
  const RoadMap& road = base_.road;
  MetricWeights w = weightsOf(base_);
  for (float s : speed_) stats_.osm_segments_set += !std::isnan(s);
  std::vector<double> metres;
  for (uint32_t s = 0; s < eb.segmentCount(); ++s) {
    const uint32_t e = eb.segment_edge_dir[s] >> 1, dir = eb.segment_edge_dir[s] & 1;
    const uint32_t first = edge_sub_first_[e], subs = edge_sub_first_[e + 1] - first;
    bool any = false;
    for (uint32_t j = 0; j < subs && !any; ++j) any = !std::isnan(speed_[2 * (first + j) + dir]);
    if (!any) continue;
    // OSM segment lengths along the edge, scaled to its stored length.
    metres.assign(subs, 0);
    double total = 0;
    for (uint32_t j = 0; j < subs; ++j) {
      metres[j] = haversineMeters(toDegrees(road.polylineLon(e, j)), toDegrees(road.polylineLat(e, j)), toDegrees(road.polylineLon(e, j + 1)),
                                  toDegrees(road.polylineLat(e, j + 1)));
      total += metres[j];
    }
    const double length_m = eb.segment_length_cm[s] / 100.0;
    for (double& m : metres) m = total > 0 ? m * length_m / total : length_m / subs;
    const double share = 1.0 / std::max<double>(length_m, 1e-9);
    double travel = 0, weight = 0;
    bool closed = false, rated = false;
    for (uint32_t j = 0; j < subs; ++j) {
      const float speed = speed_[2 * (first + j) + dir], rate = rate_[2 * (first + j) + dir];
      const double fraction = length_m > 0 ? metres[j] * share : 1.0 / subs;
      if (std::isnan(speed)) {
        travel += base_.travel_segment_ms[s] * fraction;
        weight += eb.segment_duration[s] * fraction;
      } else if (speed == 0) {
        closed = true;
      } else {
        const double t = metres[j] / (speed / 3.6) * 1000.0;
        travel += t;
        weight += std::isnan(rate) ? t : metres[j] / rate * 1000.0;
        rated = rated || !std::isnan(rate);
      }
    }
    ++stats_.road_segments_changed;
    if (closed) {
      closeSegment(base_, w, s);
      ++stats_.closed_segments;
      continue;
    }
    constexpr double kMax = 4e9;
    setSegmentCost(base_, w, s, static_cast<uint32_t>(std::llround(std::min(weight, kMax))), static_cast<uint32_t>(std::llround(std::min(travel, kMax))));
    if (rated) w.weight_is_travel_time = false;
  }
  for (const TurnPenalty& t : turns_) {
    if (w.turn_weight[t.arc] == kNotAllowed) continue;  // its segment closed by a speed of 0
    // The arc's tail: the segment whose turn range holds it.
    const uint32_t s1 = static_cast<uint32_t>(std::upper_bound(eb.turn_first.begin(), eb.turn_first.end(), t.arc) - eb.turn_first.begin() - 1);
    w.turn_travel_ms[t.arc] = static_cast<uint32_t>(std::min<double>(w.segment_travel_ms[s1] + t.penalty_s * 1000.0, 4e9));
    w.turn_weight[t.arc] = static_cast<uint32_t>(std::min<double>(w.segment_weight[s1] + t.weight_penalty_s * 1000.0, 4e9));
    if (t.weight_penalty_s != t.penalty_s) w.weight_is_travel_time = false;
    ++stats_.turns_changed;
  }
  return w;
}

}  // namespace waymark
