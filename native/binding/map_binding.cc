// Map handles: open a map file (shared per process), read its header, and view its sections as
// typed arrays without copying (the views keep the mapping alive).
#include <cstdlib>
#include <cstring>
#include <memory>

#include "binding/js_convert.h"
#include "binding/map_handle.h"
#include "binding/registry.h"
#include "osm/profile.h"

namespace waymark::js {

MapPtr mapArg(const Napi::CallbackInfo& info, size_t i) {
  if (info.Length() <= i || !info[i].IsExternal()) fail("InvalidArgument", "expected a map handle");
  MapPtr m = *info[i].As<Napi::External<MapPtr>>().Data();
  if (!m) fail("MapReleased", "this map handle has been released");
  return m;
}

namespace {

Napi::Value openMap(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    const std::string path = stringArg(info, 0, "path");
    MapPtr map;
    if (info.Length() > 1 && info[1].IsString()) {
      const std::string hex = info[1].As<Napi::String>().Utf8Value();
      char* end = nullptr;
      const uint64_t checksum = std::strtoull(hex.c_str(), &end, 16);
      if (hex.size() != 16 || end != hex.c_str() + 16) fail("InvalidArgument", "expected checksum must be 16 hex digits");
      map = LoadedMap::openVersion(path, checksum);
    } else {
      map = LoadedMap::openShared(path);
    }
    auto* holder = new MapPtr(std::move(map));
    return Napi::External<MapPtr>::New(env, holder, [](Napi::Env, MapPtr* p) { delete p; });
  });
}

Napi::Value mapHeader(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    MapPtr m = mapArg(info, 0);
    const MapHeader& h = m->file->header();
    Napi::Object o = Napi::Object::New(env);
    o.Set("path", m->file->path());
    o.Set("formatVersion", h.format_version);
    o.Set("fileBytes", double(h.file_bytes));
    char checksum[17];
    std::snprintf(checksum, sizeof(checksum), "%016llx", static_cast<unsigned long long>(h.checksum));
    o.Set("checksum", checksum);
    o.Set("profile", std::string(h.profile, strnlen(h.profile, sizeof(h.profile))));
    o.Set("sourceName", std::string(h.source_name, strnlen(h.source_name, sizeof(h.source_name))));
    o.Set("sourceTimestamp", std::string(h.source_timestamp, strnlen(h.source_timestamp, sizeof(h.source_timestamp))));
    o.Set("buildTimeUnixMs", double(h.build_time_unix_ms));
    Napi::Array bbox = Napi::Array::New(env, 4);
    for (uint32_t i = 0; i < 4; ++i) bbox.Set(i, h.bbox[i]);
    o.Set("bbox", bbox);
    Napi::Object counts = Napi::Object::New(env);
    counts.Set("nodes", double(h.node_count));
    counts.Set("edges", double(h.edge_count));
    counts.Set("shapePoints", double(h.shape_point_count));
    counts.Set("names", double(h.name_count));
    counts.Set("restrictions", double(h.restriction_count));
    counts.Set("viaWayRestrictions", double(h.via_way_restriction_count));
    counts.Set("segments", double(h.segment_count));
    counts.Set("turns", double(h.turn_count));
    counts.Set("chArcs", double(h.ch_arc_count));
    counts.Set("segmentCopies", double(h.segment_copy_count));
    o.Set("counts", counts);
    const auto& rc = h.restrictions;
    Napi::Object restrictions = Napi::Object::New(env);
    restrictions.Set("read", double(rc.read));
    restrictions.Set("applied", double(rc.applied));
    Napi::Object ignored = Napi::Object::New(env);
    ignored.Set("onRed", double(rc.on_red));
    ignored.Set("conditional", double(rc.conditional));
    ignored.Set("excepted", double(rc.excepted));
    ignored.Set("otherVehicle", double(rc.other_vehicle));
    ignored.Set("unknownValue", double(rc.unknown_value));
    ignored.Set("incomplete", double(rc.incomplete));
    ignored.Set("unmapped", double(rc.unmapped));
    ignored.Set("ambiguous", double(rc.ambiguous));
    ignored.Set("disconnected", double(rc.disconnected));
    restrictions.Set("ignored", ignored);
    o.Set("restrictions", restrictions);
    Napi::Array sections = Napi::Array::New(env, h.section_count);
    for (uint32_t i = 0; i < h.section_count; ++i) {
      Napi::Object s = Napi::Object::New(env);
      s.Set("name", h.sections[i].name);
      s.Set("bytes", double(h.sections[i].bytes));
      s.Set("elementSize", h.sections[i].element_size);
      sections.Set(i, s);
    }
    o.Set("sections", sections);
    return o;
  });
}

// A typed-array view of one section. Signedness comes from the caller's requested kind, because the
// file stores only element sizes.
Napi::Value mapSection(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    MapPtr m = mapArg(info, 0);
    const std::string name = stringArg(info, 1, "section name");
    const std::string kind = stringArg(info, 2, "element kind");
    const MapHeader& h = m->file->header();
    for (uint32_t i = 0; i < h.section_count; ++i) {
      const MapSectionEntry& s = h.sections[i];
      if (name != s.name) continue;
      const uint8_t* data = reinterpret_cast<const uint8_t*>(&h) + s.offset;
      auto* keep = new MapPtr(m);
      Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(env, const_cast<uint8_t*>(data), s.bytes,
                                                        [](Napi::Env, void*, MapPtr* p) { delete p; }, keep);
      const size_t count = s.bytes / s.element_size;
      auto check = [&](uint32_t size) {
        if (s.element_size != size) fail("InvalidArgument", "section " + name + " does not hold " + kind + " elements");
      };
      if (kind == "u8") return (check(1), Napi::Uint8Array::New(env, count, buffer, 0));
      if (kind == "i32") return (check(4), Napi::Int32Array::New(env, count, buffer, 0));
      if (kind == "u32") return (check(4), Napi::Uint32Array::New(env, count, buffer, 0));
      if (kind == "f64") return (check(8), Napi::Float64Array::New(env, count, buffer, 0));
      if (kind == "i64") return (check(8), Napi::BigInt64Array::New(env, count, buffer, 0));
      fail("InvalidArgument", "unknown element kind " + kind);
    }
    fail("InvalidArgument", "the map has no section named " + name);
    return env.Undefined();
  });
}

// Drops this handle's reference now (instead of at garbage collection): once no handle or view in
// any thread refers to a map version, its mapping is unmapped.
Napi::Value releaseMap(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    if (info.Length() < 1 || !info[0].IsExternal()) fail("InvalidArgument", "expected a map handle");
    info[0].As<Napi::External<MapPtr>>().Data()->reset();
    return env.Undefined();
  });
}

Napi::Value roadClassNames(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    Napi::Array a = Napi::Array::New(env);
    for (uint8_t c = 0; c <= kOtherRoad; ++c) a.Set(uint32_t(c), roadClassName(c));
    return a;
  });
}

// The names behind the one-byte edge attributes (road class, surface, road access), by value.
Napi::Value edgeAttributeNames(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    auto names = [&](uint8_t count, const char* (*name)(uint8_t)) {
      Napi::Array a = Napi::Array::New(env);
      for (uint8_t c = 0; c < count; ++c) a.Set(uint32_t(c), name(c));
      return a;
    };
    Napi::Object o = Napi::Object::New(env);
    o.Set("roadClass", names(kOtherRoad + 1, roadClassName));
    o.Set("surface", names(kSurfaceCount, surfaceName));
    o.Set("roadAccess", names(kAccessCount, roadAccessName));
    return o;
  });
}

// The road layer of a map for drawing (vector tiles): every edge's polyline in degrees, its road
// class, name id and whether it may be travelled one way only. One-way edges open in the backward
// direction are reversed so that `oneway` always means "only in coordinate order".
Napi::Value roadEdges(const Napi::CallbackInfo& info) {
  return guarded(info, [&](Napi::Env env) -> Napi::Value {
    MapPtr m = mapArg(info, 0);
    const RoadMap& r = m->road;
    const uint32_t n = r.edgeCount();
    size_t points = 0;
    for (uint32_t e = 0; e < n; ++e) points += r.polylineSize(e);
    Napi::Uint32Array offsets = Napi::Uint32Array::New(env, size_t(n) + 1);
    Napi::Float64Array coordinates = Napi::Float64Array::New(env, points * 2);
    Napi::Uint8Array roadClass = Napi::Uint8Array::New(env, n);
    Napi::Uint32Array nameId = Napi::Uint32Array::New(env, n);
    Napi::Uint8Array oneway = Napi::Uint8Array::New(env, n);
    size_t at = 0;
    for (uint32_t e = 0; e < n; ++e) {
      offsets[e] = uint32_t(at);
      const bool forward = r.edge_duration_forward[e] != kNotAllowed;
      const bool backward = r.edge_duration_backward[e] != kNotAllowed;
      const bool reverse = backward && !forward;
      const uint32_t size = r.polylineSize(e);
      for (uint32_t i = 0; i < size; ++i) {
        const uint32_t k = reverse ? size - 1 - i : i;
        coordinates[2 * at] = r.polylineLon(e, k) * 1e-7;
        coordinates[2 * at + 1] = r.polylineLat(e, k) * 1e-7;
        ++at;
      }
      roadClass[e] = r.edge_class[e];
      nameId[e] = r.edge_name[e];
      oneway[e] = forward != backward ? 1 : 0;
    }
    offsets[n] = uint32_t(at);
    const uint32_t nameCount = r.name_first.empty() ? 0 : uint32_t(r.name_first.size() - 1);
    Napi::Array names = Napi::Array::New(env, nameCount);
    for (uint32_t i = 0; i < nameCount; ++i) {
      const std::string_view s = r.name(i);
      names.Set(i, Napi::String::New(env, s.data(), s.size()));
    }
    Napi::Object o = Napi::Object::New(env);
    o.Set("offsets", offsets);
    o.Set("coordinates", coordinates);
    o.Set("roadClass", roadClass);
    o.Set("nameId", nameId);
    o.Set("oneway", oneway);
    o.Set("names", names);
    return o;
  });
}

}  // namespace

void registerMap(Napi::Env env, Napi::Object exports) {
  exports.Set("openMap", Napi::Function::New(env, openMap));
  exports.Set("mapHeader", Napi::Function::New(env, mapHeader));
  exports.Set("mapSection", Napi::Function::New(env, mapSection));
  exports.Set("roadClassNames", Napi::Function::New(env, roadClassNames));
  exports.Set("edgeAttributeNames", Napi::Function::New(env, edgeAttributeNames));
  exports.Set("releaseMap", Napi::Function::New(env, releaseMap));
  exports.Set("roadEdges", Napi::Function::New(env, roadEdges));
}

}  // namespace waymark::js
