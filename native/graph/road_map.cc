#include "graph/road_map.h"

namespace waymark {

void addRoadGraphSections(MapWriter& w, const RoadGraph& g) {
  w.add("node_lon", g.node_lon);
  w.add("node_lat", g.node_lat);
  w.add("node_flags", g.node_flags);
  w.add("node_osm_id", g.node_osm_id);
  w.add("edge_from", g.edge_from);
  w.add("edge_to", g.edge_to);
  w.add("edge_duration_forward", g.edge_duration_forward);
  w.add("edge_duration_backward", g.edge_duration_backward);
  w.add("edge_length_cm", g.edge_length_cm);
  w.add("edge_name", g.edge_name);
  w.add("edge_class", g.edge_class);
  w.add("edge_flags", g.edge_flags);
  w.add("edge_ref", g.edge_ref);
  w.add("edge_surface", g.edge_surface);
  w.add("edge_access", g.edge_access);
  w.add("edge_maxspeed", g.edge_maxspeed);
  w.add("edge_shape_first", g.edge_shape_first);
  w.add("shape_lon", g.shape_lon);
  w.add("shape_lat", g.shape_lat);
  w.add("shape_osm_id", g.shape_osm_id);
  w.add("node_first_edge", g.node_first_edge);
  w.add("node_edges", g.node_edges);
  w.add("name_first", g.name_first);
  w.add("name_chars", g.name_chars);
  w.add("restriction_from", g.restriction_from);
  w.add("restriction_via", g.restriction_via);
  w.add("restriction_to", g.restriction_to);
  w.add("restriction_kind", g.restriction_kind);
  w.add("via_way_first", g.via_way_first);
  w.add("via_way_edges", g.via_way_edges);
  w.add("via_way_kind", g.via_way_kind);
}

RoadMap::RoadMap(const RoadGraph& g)
    : node_lon(g.node_lon),
      node_lat(g.node_lat),
      node_flags(g.node_flags),
      node_osm_id(g.node_osm_id),
      edge_from(g.edge_from),
      edge_to(g.edge_to),
      edge_duration_forward(g.edge_duration_forward),
      edge_duration_backward(g.edge_duration_backward),
      edge_length_cm(g.edge_length_cm),
      edge_name(g.edge_name),
      edge_class(g.edge_class),
      edge_flags(g.edge_flags),
      edge_ref(g.edge_ref),
      edge_surface(g.edge_surface),
      edge_access(g.edge_access),
      edge_maxspeed(g.edge_maxspeed),
      edge_shape_first(g.edge_shape_first),
      shape_lon(g.shape_lon),
      shape_lat(g.shape_lat),
      shape_osm_id(g.shape_osm_id),
      node_first_edge(g.node_first_edge),
      node_edges(g.node_edges),
      name_first(g.name_first),
      name_chars(g.name_chars.data(), g.name_chars.size()),
      restriction_from(g.restriction_from),
      restriction_via(g.restriction_via),
      restriction_to(g.restriction_to),
      restriction_kind(g.restriction_kind) {}

RoadMap::RoadMap(const MappedMap& m)
    : node_lon(m.section<int32_t>("node_lon")),
      node_lat(m.section<int32_t>("node_lat")),
      node_flags(m.section<uint8_t>("node_flags")),
      node_osm_id(m.section<int64_t>("node_osm_id")),
      edge_from(m.section<uint32_t>("edge_from")),
      edge_to(m.section<uint32_t>("edge_to")),
      edge_duration_forward(m.section<uint32_t>("edge_duration_forward")),
      edge_duration_backward(m.section<uint32_t>("edge_duration_backward")),
      edge_length_cm(m.section<uint32_t>("edge_length_cm")),
      edge_name(m.section<uint32_t>("edge_name")),
      edge_class(m.section<uint8_t>("edge_class")),
      edge_flags(m.section<uint8_t>("edge_flags")),
      edge_ref(m.section<uint32_t>("edge_ref")),
      edge_surface(m.section<uint8_t>("edge_surface")),
      edge_access(m.section<uint8_t>("edge_access")),
      edge_maxspeed(m.section<uint8_t>("edge_maxspeed")),
      edge_shape_first(m.section<uint32_t>("edge_shape_first")),
      shape_lon(m.section<int32_t>("shape_lon")),
      shape_lat(m.section<int32_t>("shape_lat")),
      shape_osm_id(m.section<int64_t>("shape_osm_id")),
      node_first_edge(m.section<uint32_t>("node_first_edge")),
      node_edges(m.section<uint32_t>("node_edges")),
      name_first(m.section<uint32_t>("name_first")),
      name_chars(m.section<char>("name_chars")),
      restriction_from(m.section<uint32_t>("restriction_from")),
      restriction_via(m.section<uint32_t>("restriction_via")),
      restriction_to(m.section<uint32_t>("restriction_to")),
      restriction_kind(m.section<uint8_t>("restriction_kind")) {
  // Structural checks so that a well-checksummed but inconsistent file cannot index out of bounds.
  const size_t n = node_lon.size(), e = edge_from.size();
  bool ok = node_lat.size() == n && node_flags.size() == n && node_osm_id.size() == n && edge_to.size() == e && edge_duration_forward.size() == e &&
            edge_duration_backward.size() == e && edge_length_cm.size() == e && edge_name.size() == e &&
            edge_class.size() == e && edge_flags.size() == e && edge_ref.size() == e && edge_surface.size() == e &&
            edge_access.size() == e && edge_maxspeed.size() == e && edge_shape_first.size() == e + 1 &&
            shape_lat.size() == shape_lon.size() && shape_osm_id.size() == shape_lon.size() && node_first_edge.size() == n + 1 && !name_first.empty() &&
            restriction_via.size() == restriction_from.size() && restriction_to.size() == restriction_from.size() &&
            restriction_kind.size() == restriction_from.size();
  for (size_t i = 0; ok && i < e; ++i)
    ok = edge_from[i] < n && edge_to[i] < n && edge_name[i] + 1 < name_first.size() && edge_ref[i] + 1 < name_first.size() &&
         edge_shape_first[i] <= edge_shape_first[i + 1];
  ok = ok && edge_shape_first[e] <= shape_lon.size() && node_first_edge[n] == node_edges.size() &&
       name_first.back() <= name_chars.size();
  for (size_t i = 0; ok && i < node_edges.size(); ++i) ok = node_edges[i] < e;
  for (size_t i = 0; ok && i < restriction_from.size(); ++i)
    ok = restriction_from[i] < e && restriction_to[i] < e && restriction_via[i] < n;
  if (!ok) throw Error("MapCorrupt", m.path() + " has inconsistent graph arrays");
}

}  // namespace waymark
