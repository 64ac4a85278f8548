// The Waymark map page: a MapLibre map drawn from this server's own road tiles, with route, isochrone,
// matrix and VRP-plan tools. Everything is fetched from the page's origin; tools whose endpoints the
// server does not offer (read from /openapi.json) stay hidden.
const maplibregl = window.maplibregl;
const $ = (id) => document.getElementById(id);

/** Exposed for developers (and the browser tests): what the page currently shows. */
const state = (window.waymark = {
  info: null,
  features: {},
  profile: 'car',
  tool: 'route',
  route: { points: [], markers: [], seq: 0, result: null },
  matrix: { markers: [] },
  isochrone: { marker: null, result: null },
  zones: { marker: null, request: null, result: null, seq: 0 },
  vrp: { problem: null, solution: null, markers: [], routeCount: 0, polling: null },
  firstRouteRenderedAt: null,
  firstIsochroneRenderedAt: null,
});

// ---------------------------------------------------------------------------------------------------
// Talking to the server: errors carry the server's code and message.

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    throw new ApiError(res.status, json?.code ?? `HTTP${res.status}`, json?.message ?? (text.slice(0, 200) || res.statusText));
  }
  return { json, version: res.headers.get('x-map-version') };
}

function showError(err) {
  const box = $('error');
  if (!err) {
    box.hidden = true;
    box.textContent = '';
    return;
  }
  box.hidden = false;
  box.innerHTML = '';
  const code = document.createElement('code');
  code.textContent = err.code ?? 'Error';
  box.append(code, document.createTextNode(`: ${err.message}`));
  box.dataset.code = err.code ?? '';
}

// ---------------------------------------------------------------------------------------------------
// Formatting

function formatDuration(s) {
  if (s == null) return '—';
  if (s < 60) return `${s.toFixed(0)} s`;
  const m = Math.round(s / 60);
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

function formatDistance(m) {
  if (m == null) return '—';
  return m < 1000 ? `${m.toFixed(0)} m` : `${(m / 1000).toFixed(2)} km`;
}

function formatClock(s) {
  const t = Math.round(s);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = t % 60;
  return `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;
}

/** Distinct colours: hues spaced by the golden angle. */
function colour(i) {
  return `hsl(${Math.round((i * 137.508) % 360)}, 70%, 45%)`;
}

/** Encoded polyline (precision 5) to [lon, lat] pairs. */
function decodePolyline(str, precision = 5) {
  const factor = 10 ** precision;
  const out = [];
  let index = 0;
  let lat = 0;
  let lon = 0;
  const next = () => {
    let result = 0;
    let shift = 0;
    let b;
    do {
      b = str.charCodeAt(index++) - 63;
      result |= (b & 0x1f) << shift;
      shift += 5;
    } while (b >= 0x20);
    return result & 1 ? ~(result >> 1) : result >> 1;
  };
  while (index < str.length) {
    lat += next();
    lon += next();
    out.push([lon / factor, lat / factor]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// The base map: road tiles of the selected profile, styled by road class.

const CLASS_COLOURS = [
  'match', ['get', 'class'],
  'motorway', '#e3574b', 'trunk', '#f08a4b', 'primary', '#f5b041', 'secondary', '#f7dc6f', 'tertiary', '#fdfefe',
  'residential', '#ffffff', 'unclassified', '#ffffff', 'living_street', '#e8f6f3', 'service', '#f2f3f4',
  'track', '#b9a37e', 'path', '#a9cce3', 'ferry', '#5dade2',
  '#d5d8dc',
];
const CLASS_WIDTH = [
  'match', ['get', 'class'],
  'motorway', 3, 'trunk', 2.6, 'primary', 2.2, 'secondary', 1.9, 'tertiary', 1.6,
  'residential', 1.2, 'unclassified', 1.2, 'living_street', 1, 'service', 0.7, 'track', 0.6, 'path', 0.5, 'ferry', 0.8,
  0.6,
];
const widthAt = (zoomFactor) => ['*', CLASS_WIDTH, zoomFactor];

function tileUrl(profile) {
  return `${location.origin}/tiles/${encodeURIComponent(profile)}/{z}/{x}/{y}.pbf`;
}

function baseStyle(profile, bbox) {
  return {
    version: 8,
    sources: {
      roads: { type: 'vector', tiles: [tileUrl(profile)], minzoom: 0, maxzoom: 16, bounds: bbox },
    },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': '#e9e5dc' } },
      {
        id: 'road-casing',
        type: 'line',
        source: 'roads',
        'source-layer': 'roads',
        filter: ['!=', ['get', 'class'], 'path'],
        layout: { 'line-cap': 'round', 'line-join': 'round' },
        paint: {
          'line-color': '#9a9a9a',
          'line-width': ['interpolate', ['exponential', 1.6], ['zoom'], 10, widthAt(0.6), 14, widthAt(2.2), 18, widthAt(10)],
          'line-gap-width': 0,
        },
      },
      {
        id: 'road',
        type: 'line',
        source: 'roads',
        'source-layer': 'roads',
        layout: { 'line-cap': 'round', 'line-join': 'round' },
        paint: {
          'line-color': CLASS_COLOURS,
          'line-width': ['interpolate', ['exponential', 1.6], ['zoom'], 10, widthAt(0.4), 14, widthAt(1.6), 18, widthAt(8)],
        },
      },
      {
        id: 'road-oneway',
        type: 'line',
        source: 'roads',
        'source-layer': 'roads',
        minzoom: 15,
        filter: ['==', ['get', 'oneway'], 1],
        paint: { 'line-color': '#7f8c8d', 'line-width': 1, 'line-dasharray': [1, 6] },
      },
    ],
  };
}

let map;

function addOverlayLayers() {
  map.addSource('route-alternatives', { type: 'geojson', data: emptyFc() });
  map.addSource('route', { type: 'geojson', data: emptyFc() });
  map.addSource('route-snap', { type: 'geojson', data: emptyFc() });
  map.addSource('isochrone', { type: 'geojson', data: emptyFc() });
  map.addSource('h3', { type: 'geojson', data: emptyFc() });
  map.addSource('h3-selected', { type: 'geojson', data: emptyFc() });
  map.addSource('vrp', { type: 'geojson', data: emptyFc() });
  map.addLayer({ id: 'isochrone-fill', type: 'fill', source: 'isochrone', paint: { 'fill-color': ['coalesce', ['get', 'fill'], ['get', 'color'], '#d35400'], 'fill-opacity': 0.3 } });
  map.addLayer({ id: 'isochrone-line', type: 'line', source: 'isochrone', paint: { 'line-color': ['coalesce', ['get', 'fill'], '#d35400'], 'line-width': 1.5 } });
  map.addLayer({ id: 'h3-fill', type: 'fill', source: 'h3', paint: { 'fill-color': ['get', 'colour'], 'fill-opacity': 0.5 } });
  map.addLayer({ id: 'h3-line', type: 'line', source: 'h3', paint: { 'line-color': '#555', 'line-width': 0.5, 'line-opacity': 0.6 } });
  map.addLayer({ id: 'h3-selected', type: 'line', source: 'h3-selected', paint: { 'line-color': '#000', 'line-width': 3 } });
  map.addLayer({ id: 'route-alternatives', type: 'line', source: 'route-alternatives', layout: { 'line-cap': 'round', 'line-join': 'round' }, paint: { 'line-color': '#7f8c8d', 'line-width': 5, 'line-opacity': 0.7 } });
  map.addLayer({ id: 'route-snap', type: 'line', source: 'route-snap', paint: { 'line-color': '#1b4f72', 'line-width': 1.5, 'line-dasharray': [2, 2] } });
  map.addLayer({ id: 'route-casing', type: 'line', source: 'route', layout: { 'line-cap': 'round', 'line-join': 'round' }, paint: { 'line-color': '#1b4f72', 'line-width': 8 } });
  map.addLayer({ id: 'route', type: 'line', source: 'route', layout: { 'line-cap': 'round', 'line-join': 'round' }, paint: { 'line-color': '#3498db', 'line-width': 5 } });
  map.addLayer({ id: 'vrp', type: 'line', source: 'vrp', layout: { 'line-cap': 'round', 'line-join': 'round' }, paint: { 'line-color': ['get', 'colour'], 'line-width': 4, 'line-opacity': 0.85 } });
}

function emptyFc() {
  return { type: 'FeatureCollection', features: [] };
}

function setSource(id, data) {
  map.getSource(id)?.setData(data);
}

// A road under the pointer: its class, name and one-way flag in the corner.
function setupRoadHover() {
  const infoBox = document.createElement('div');
  infoBox.id = 'road-info';
  infoBox.style.cssText = 'position:absolute;left:370px;bottom:8px;background:#fffc;padding:2px 6px;border-radius:3px;font-size:12px;pointer-events:none';
  infoBox.hidden = true;
  document.body.append(infoBox);
  map.on('mousemove', (e) => {
    const f = map.queryRenderedFeatures(e.point, { layers: ['road'] })[0];
    infoBox.textContent = f ? `${f.properties.name ?? '(unnamed)'} · ${f.properties.class}${f.properties.oneway ? ' · one-way' : ''}` : '';
    infoBox.hidden = !f;
  });
}

function marker(className, label, lngLat, draggable) {
  const el = document.createElement('div');
  el.className = `marker ${className}`;
  el.textContent = label;
  return new maplibregl.Marker({ element: el, draggable }).setLngLat(lngLat).addTo(map);
}

// ---------------------------------------------------------------------------------------------------
// Route tool

function routeMarkersRefresh() {
  for (const m of state.route.markers) m.remove();
  const n = state.route.points.length;
  state.route.markers = state.route.points.map((p, i) => {
    const kind = i === 0 ? 'start' : i === n - 1 && n > 1 ? 'end' : 'via';
    const m = marker(kind, kind === 'start' ? 'A' : kind === 'end' ? 'B' : String(i), p, true);
    m.on('dragend', () => {
      const ll = m.getLngLat();
      state.route.points[i] = [ll.lng, ll.lat];
      void computeRoute();
    });
    m.getElement().addEventListener('contextmenu', (ev) => {
      ev.preventDefault();
      ev.stopPropagation();
      state.route.points.splice(i, 1);
      routeMarkersRefresh();
      void computeRoute();
    });
    return m;
  });
}

function routeClick(lngLat) {
  const p = [lngLat.lng, lngLat.lat];
  const pts = state.route.points;
  if (pts.length < 2) pts.push(p);
  else pts.splice(pts.length - 1, 0, p); // a via point before the end
  routeMarkersRefresh();
  void computeRoute();
}

function clearRoute() {
  state.route.points = [];
  state.route.result = null;
  routeMarkersRefresh();
  setSource('route', emptyFc());
  setSource('route-snap', emptyFc());
  setSource('route-alternatives', emptyFc());
  for (const id of ['route-summary', 'route-alternatives', 'route-steps']) $(id).hidden = true;
}

async function computeRoute() {
  const seq = ++state.route.seq;
  const coordinates = state.route.points.map((p) => [round6(p[0]), round6(p[1])]);
  if (coordinates.length < 2) {
    setSource('route', emptyFc());
    setSource('route-snap', emptyFc());
    setSource('route-alternatives', emptyFc());
    $('route-summary').hidden = true;
    return;
  }
  const profile = state.profile;
  try {
    const { json, version } = await api('POST', '/route', { coordinates, profile, geometry: 'geojson' });
    if (seq !== state.route.seq) return;
    showError(null);
    state.route.result = { coordinates, profile, duration: json.duration, distance: json.distance, version };
    setSource('route', { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: json.geometry }] });
    // Dashed: from each clicked point to where it joined the road.
    setSource('route-snap', {
      type: 'FeatureCollection',
      features: (json.waypoints ?? []).map((w, i) => ({ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: [coordinates[i], w.location] } })),
    });
    const summary = $('route-summary');
    summary.hidden = false;
    summary.dataset.duration = String(json.duration);
    summary.dataset.distance = String(json.distance);
    summary.dataset.coordinates = JSON.stringify(coordinates);
    summary.dataset.profile = profile;
    summary.dataset.version = version ?? '';
    summary.innerHTML = '';
    const strong = document.createElement('strong');
    strong.textContent = `${formatDuration(json.duration)} · ${formatDistance(json.distance)}`;
    const ver = document.createElement('span');
    ver.className = 'version';
    ver.textContent = `${profile} map ${version ?? ''}`;
    summary.append(strong, ver);
    map.once('idle', () => {
      if (state.firstRouteRenderedAt === null) state.firstRouteRenderedAt = performance.now();
      summary.dataset.rendered = 'true';
    });
    void routeExtras(seq, coordinates, profile);
  } catch (err) {
    if (seq !== state.route.seq) return;
    setSource('route', emptyFc());
    setSource('route-snap', emptyFc());
    $('route-summary').hidden = true;
    showError(err);
  }
}

function round6(x) {
  return Math.round(x * 1e6) / 1e6;
}

// Alternatives and turn-by-turn steps come from the OSRM endpoint, asked for only when the server
// documents those parameters; sections stay hidden when the answer has none.
async function routeExtras(seq, coordinates, profile) {
  const f = state.features;
  const alternativesBox = $('route-alternatives');
  const stepsBox = $('route-steps');
  alternativesBox.hidden = true;
  stepsBox.hidden = true;
  setSource('route-alternatives', emptyFc());
  // Alternatives exist only between two points (the server refuses them for via routes).
  const wantAlternatives = f.alternatives && coordinates.length === 2;
  if (!f.osrmRoute || (!wantAlternatives && !f.steps)) return;
  const params = new URLSearchParams({ overview: 'full', geometries: 'geojson' });
  if (wantAlternatives) params.set('alternatives', 'true');
  if (f.steps) params.set('steps', 'true');
  const path = `/route/v1/${encodeURIComponent(profile)}/${coordinates.map((c) => c.join(',')).join(';')}?${params}`;
  let json;
  try {
    ({ json } = await api('GET', path));
  } catch {
    return; // the main route is shown; extras are optional
  }
  if (seq !== state.route.seq || !json?.routes?.length) return;
  const alternatives = json.routes.slice(1);
  if (alternatives.length > 0) {
    setSource('route-alternatives', { type: 'FeatureCollection', features: alternatives.map((r) => ({ type: 'Feature', properties: {}, geometry: r.geometry })) });
    alternativesBox.innerHTML = '<div><strong>Alternatives</strong></div>';
    alternatives.forEach((r, i) => {
      const d = document.createElement('div');
      d.textContent = `${i + 1}. ${formatDuration(r.duration)} · ${formatDistance(r.distance)}`;
      alternativesBox.append(d);
    });
    alternativesBox.hidden = false;
  }
  const steps = json.routes[0].legs.flatMap((leg) => leg.steps ?? []);
  if (steps.length > 0) {
    stepsBox.innerHTML = '';
    for (const s of steps) {
      const li = document.createElement('li');
      const m = s.maneuver ?? {};
      li.textContent = `${[m.type, m.modifier].filter(Boolean).join(' ')}${s.name ? ` onto ${s.name}` : ''} — ${formatDistance(s.distance)}`;
      stepsBox.append(li);
    }
    stepsBox.hidden = false;
  }
}

// ---------------------------------------------------------------------------------------------------
// Isochrone tool (shown when the server documents an isochrone endpoint)

async function isochroneClick(lngLat) {
  const f = state.features.isochrone;
  if (!f) return;
  state.isochrone.marker?.remove();
  state.isochrone.marker = marker('iso', '◎', [lngLat.lng, lngLat.lat], false);
  const minutes = $('iso-minutes').value.split(/[ ,;]+/).filter(Boolean).map(Number);
  const point = [round6(lngLat.lng), round6(lngLat.lat)];
  try {
    let json;
    if (f.method === 'post') {
      const body = { profile: state.profile };
      body[f.locationKey] = f.locationKey === 'coordinates' ? [point] : point;
      body[f.timeKey] = f.timeInSeconds ? minutes.map((m) => m * 60) : minutes;
      ({ json } = await api('POST', f.path, body));
    } else {
      const path = f.path.replace('{profile}', encodeURIComponent(state.profile)).replace(/\{(coordinates?|location)\}/, point.join(','));
      const q = new URLSearchParams({ [f.timeKey]: (f.timeInSeconds ? minutes.map((m) => m * 60) : minutes).join(',') });
      ({ json } = await api('GET', `${path}?${q}`));
    }
    showError(null);
    const fc = json?.type === 'FeatureCollection' ? json : json?.isochrones ?? json?.polygons ?? emptyFc();
    drawIsochrone(fc, minutes);
  } catch (err) {
    showError(err);
  }
}

// One colour per contour (green = nearest, red = farthest); the largest contour is drawn first so
// the nearer ones show on top of it.
function drawIsochrone(fc, minutes) {
  const features = [...(fc.features ?? [])].sort((a, b) => (b.properties?.contour ?? 0) - (a.properties?.contour ?? 0));
  const contours = [...new Set(features.map((f) => f.properties?.contour))].sort((a, b) => a - b);
  const colourOf = (c) => `hsl(${contours.length > 1 ? Math.round(120 * (1 - contours.indexOf(c) / (contours.length - 1))) : 30}, 75%, 45%)`;
  const drawn = features.map((f) => ({ ...f, properties: { ...f.properties, fill: colourOf(f.properties?.contour) } }));
  state.isochrone.result = fc;
  setSource('isochrone', { type: 'FeatureCollection', features: drawn });
  const legend = $('iso-legend');
  legend.innerHTML = '';
  for (const c of contours) {
    const unit = features.find((f) => f.properties?.contour === c)?.properties?.metric === 'meters' ? 'm' : 'min';
    legend.append(legendItem(colourOf(c), `${c} ${unit}`));
  }
  const summary = $('iso-summary');
  summary.textContent = `${drawn.length} polygon(s)`;
  summary.dataset.count = String(drawn.length);
  summary.dataset.contours = JSON.stringify(drawn.map((f) => f.properties?.contour));
  summary.dataset.minutes = JSON.stringify(minutes);
  map.once('idle', () => {
    state.firstIsochroneRenderedAt ??= performance.now();
    summary.dataset.rendered = 'true';
  });
  delete summary.dataset.rendered;
}

function legendItem(colour, text) {
  const item = document.createElement('span');
  const swatch = document.createElement('i');
  swatch.className = 'swatch';
  swatch.style.background = colour;
  item.append(swatch, text);
  return item;
}

// ---------------------------------------------------------------------------------------------------
// Matrix tool

function matrixPoints() {
  return $('matrix-points')
    .value.split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => l.split(/[ ,;]+/).map(Number));
}

function matrixMarkersRefresh() {
  for (const m of state.matrix.markers) m.remove();
  state.matrix.markers = matrixPoints()
    .filter((p) => p.length === 2 && p.every(Number.isFinite))
    .map((p, i) => marker('matrix', String(i), p, false));
}

function matrixClick(lngLat) {
  const area = $('matrix-points');
  area.value = `${area.value.trim()}\n${round6(lngLat.lng)},${round6(lngLat.lat)}`.trim();
  matrixMarkersRefresh();
}

async function computeMatrix() {
  const points = matrixPoints();
  const bad = points.findIndex((p) => p.length !== 2 || !p.every(Number.isFinite));
  if (bad >= 0) return showError({ code: 'InvalidPoint', message: `line ${bad + 1} is not "lon,lat"` });
  matrixMarkersRefresh();
  try {
    const { json } = await api('POST', '/matrix', { sources: points, annotations: ['duration', 'distance'], profile: state.profile });
    showError(null);
    state.matrix.result = json;
    renderMatrix();
  } catch (err) {
    state.matrix.result = null;
    renderMatrix();
    showError(err);
  }
}

function renderMatrix() {
  const json = state.matrix.result;
  const box = $('matrix-table');
  box.innerHTML = '';
  if (!json) return;
  const key = $('matrix-annotation').value;
  const rows = json[key] ?? [];
  const values = rows.flat().filter((v) => v != null);
  const max = Math.max(1, ...values);
  const table = document.createElement('table');
  table.className = 'matrix';
  const head = table.insertRow();
  head.append(Object.assign(document.createElement('th'), { textContent: key === 'durations' ? 's' : 'm' }));
  rows[0]?.forEach((_v, j) => head.append(Object.assign(document.createElement('th'), { textContent: String(j) })));
  rows.forEach((row, i) => {
    const tr = table.insertRow();
    tr.append(Object.assign(document.createElement('th'), { textContent: String(i) }));
    for (const v of row) {
      const td = tr.insertCell();
      if (v == null) {
        td.textContent = '—';
        td.style.background = '#ccc';
      } else {
        td.textContent = key === 'durations' ? v.toFixed(0) : v >= 1000 ? `${(v / 1000).toFixed(1)}k` : v.toFixed(0);
        // green (near) to red (far), relative to the largest value in the table
        td.style.background = `hsl(${Math.round(120 * (1 - v / max))}, 65%, 75%)`;
      }
    }
  });
  box.append(table);
}

// ---------------------------------------------------------------------------------------------------
// H3 zones (shown when the server documents POST /zones/eta): the cells of the current view coloured
// by travel time from each cell to a clicked point (pickup ETA heat map). The server answers cell ids
// and ETAs; h3-js (served locally) draws each cell's outline.

const ZONE_UNREACHABLE = '#9e9e9e';

/** Cells drawn at most in auto mode (the endpoint refuses more than 20,000 per request). */
const ZONE_AUTO_MAX_CELLS = 4000;

/**
 * Resolution for the view: 8 (~460 m edges), 9 (~174 m) from zoom 14, coarser while the view would
 * hold more than ZONE_AUTO_MAX_CELLS cells; or the chosen one (the server refuses too many cells).
 */
function zoneResolution() {
  const chosen = $('zones-resolution').value;
  if (chosen !== 'auto') return Number(chosen);
  const [w, s, e, n] = zoneBbox();
  const km2 = Math.max(0, e - w) * 111.32 * Math.cos((((s + n) / 2) * Math.PI) / 180) * Math.max(0, n - s) * 110.57;
  let res = map.getZoom() >= 14 ? 9 : 8;
  while (res > 0 && km2 / window.h3.getHexagonAreaAvg(res, 'km2') > ZONE_AUTO_MAX_CELLS) res--;
  return res;
}

/** The current view clipped to the map's bbox (the endpoint counts cells of the whole box). */
function zoneBbox() {
  const [[w, s], [e, n]] = map.getBounds().toArray();
  const b = state.info.maps[state.profile].header.bbox;
  const r = (x) => Math.round(x * 1e6) / 1e6;
  return [r(Math.max(w, b[0])), r(Math.max(s, b[1])), r(Math.min(e, b[2])), r(Math.min(n, b[3]))];
}

function cellPolygon(cell, properties) {
  const ring = window.h3.cellToBoundary(cell, true);
  ring.push(ring[0]);
  return { type: 'Feature', properties: { cell, ...properties }, geometry: { type: 'Polygon', coordinates: [ring] } };
}

// Green (near) to red (far), relative to the largest ETA answered.
function etaColour(duration, max) {
  return `hsl(${Math.round(120 * (1 - Math.min(1, duration / Math.max(1, max))))}, 75%, 50%)`;
}

async function zonesClick(lngLat) {
  const seq = ++state.zones.seq;
  state.zones.marker?.remove();
  state.zones.marker = marker('zones', 'P', [lngLat.lng, lngLat.lat], false);
  const body = { resolution: zoneResolution(), bbox: zoneBbox(), location: [round6(lngLat.lng), round6(lngLat.lat)], profile: state.profile };
  state.zones.request = body;
  $('zones-summary').textContent = 'computing…';
  try {
    const { json } = await api('POST', '/zones/eta', body);
    if (seq !== state.zones.seq) return;
    showError(null);
    drawZones(json);
  } catch (err) {
    if (seq !== state.zones.seq) return;
    $('zones-summary').textContent = '';
    showError(err);
  }
}

function drawZones(json) {
  state.zones.result = json;
  const reached = json.cells.filter((c) => c.duration != null);
  const max = Math.max(0, ...reached.map((c) => c.duration));
  const features = [
    ...json.cells.map((c) => cellPolygon(c.cell, c.duration == null ? { eta: null, colour: ZONE_UNREACHABLE, reachable: false } : { eta: c.duration, colour: etaColour(c.duration, max), reachable: true })),
    ...json.roadless.map((cell) => cellPolygon(cell, { eta: null, colour: ZONE_UNREACHABLE, reachable: false, roadless: true })),
  ];
  state.zones.drawn = features;
  setSource('h3', { type: 'FeatureCollection', features });
  const unreachable = json.cells.length - reached.length;
  const summary = $('zones-summary');
  summary.textContent = `resolution ${json.resolution}: ${reached.length} cells with an ETA` + (unreachable ? `, ${unreachable} with no path` : '') + (json.roadless.length ? `, ${json.roadless.length} road-less` : '');
  summary.dataset.reached = String(reached.length);
  summary.dataset.unreachable = String(unreachable + json.roadless.length);
  setSource('h3-selected', emptyFc());
  zoneLegend(max);
  map.once('idle', () => (summary.dataset.rendered = 'true'));
  delete summary.dataset.rendered;
}

function formatEta(seconds) {
  return seconds < 60 ? `${seconds.toFixed(0)} s` : `${(seconds / 60).toFixed(1)} min`;
}

// The zone matrix of the view's cells (POST /zones/matrix) as a table, rows = from, columns = to.
async function zonesMatrix() {
  const body = { resolution: zoneResolution(), bbox: zoneBbox(), profile: state.profile };
  const box = $('zones-matrix-table');
  box.textContent = 'computing…';
  try {
    const { json } = await api('POST', '/zones/matrix', body);
    showError(null);
    state.zones.matrix = json;
    box.innerHTML = '';
    const values = json.durations.flat().filter((v) => v != null);
    const max = Math.max(1, ...values);
    const table = document.createElement('table');
    table.className = 'matrix zones';
    const head = table.insertRow();
    head.append(Object.assign(document.createElement('th'), { textContent: 's' }));
    json.cells.forEach((c, j) => head.append(Object.assign(document.createElement('th'), { textContent: String(j), title: c })));
    json.durations.forEach((row, i) => {
      const tr = table.insertRow();
      tr.append(Object.assign(document.createElement('th'), { textContent: String(i), title: json.cells[i] }));
      for (const v of row) {
        const td = tr.insertCell();
        td.textContent = v == null ? '—' : v.toFixed(0);
        td.style.background = v == null ? '#ccc' : `hsl(${Math.round(120 * (1 - v / max))}, 65%, 75%)`;
      }
    });
    box.append(table);
    for (const th of table.querySelectorAll('tr > th:first-child')) {
      const i = Number(th.textContent);
      if (Number.isInteger(i)) th.parentElement.addEventListener('click', () => drawZoneMatrixRow(i));
    }
    drawZoneMatrixRow(0);
  } catch (err) {
    box.textContent = '';
    showError(err);
  }
}

// The map shows one row of the zone matrix: travel time from that cell (outlined) to every other.
function drawZoneMatrixRow(i) {
  const json = state.zones.matrix;
  if (!json || !json.cells[i]) return;
  state.zones.result = null;
  state.zones.marker?.remove();
  state.zones.marker = null;
  const row = json.durations[i];
  const max = Math.max(0, ...row.filter((v) => v != null));
  const features = json.cells
    .map((c, j) => cellPolygon(c, row[j] == null ? { eta: null, colour: ZONE_UNREACHABLE, reachable: false, index: j } : { eta: row[j], colour: etaColour(row[j], max), reachable: true, index: j }))
    .concat(json.roadless.map((c) => cellPolygon(c, { eta: null, colour: ZONE_UNREACHABLE, reachable: false, roadless: true })));
  state.zones.drawn = features;
  setSource('h3', { type: 'FeatureCollection', features });
  setSource('h3-selected', { type: 'FeatureCollection', features: [cellPolygon(json.cells[i], {})] });
  for (const tr of $('zones-matrix-table').querySelectorAll('tr')) tr.classList.toggle('selected', tr.firstElementChild?.textContent === String(i));
  $('zones-summary').textContent = `zone matrix, resolution ${json.resolution}: ${json.cells.length} cells with roads, ${json.roadless.length} road-less; the map shows row ${i} (click a row)`;
  zoneLegend(max);
}

function zoneLegend(max) {
  const legend = $('zones-legend');
  legend.innerHTML = '';
  const steps = 5;
  for (let k = 0; k < steps; k++) {
    const d = (max * k) / (steps - 1);
    legend.append(legendItem(etaColour(d, max), formatEta(d)));
  }
  legend.append(legendItem(ZONE_UNREACHABLE, 'not reachable / no road'));
}

function clearZones() {
  state.zones.seq++;
  state.zones.marker?.remove();
  state.zones.marker = null;
  state.zones.result = null;
  state.zones.matrix = null;
  setSource('h3', emptyFc());
  setSource('h3-selected', emptyFc());
  $('zones-summary').textContent = '';
  $('zones-legend').innerHTML = '';
  $('zones-matrix-table').innerHTML = '';
}

// ---------------------------------------------------------------------------------------------------
// VRP plan viewer

function vrpStatus(text) {
  $('vrp-status').textContent = text;
}

async function openJob(id) {
  clearInterval(state.vrp.polling);
  if (!id) return;
  try {
    const { json } = await api('GET', `/vrp/jobs/${encodeURIComponent(id)}`);
    showError(null);
    if (json.status === 'queued' || json.status === 'running') {
      const p = json.progress;
      vrpStatus(`job ${json.id}: ${json.status}${p?.best_cost != null ? `, best cost ${p.best_cost}` : ''}${p?.elapsed_s != null ? `, ${p.elapsed_s.toFixed(1)} s` : ''}`);
      state.vrp.polling = setTimeout(() => void openJob(id), 1000);
      return;
    }
    vrpStatus(`job ${json.id}: ${json.status}`);
    if (json.error) showError(json.error);
    if (json.solution) renderPlan(json.solution);
  } catch (err) {
    vrpStatus('');
    showError(err);
  }
}

async function solveDroppedProblem() {
  if (!state.vrp.problem) return;
  try {
    const { json } = await api('POST', '/vrp/jobs', { ...state.vrp.problem, options: { ...(state.vrp.problem.options ?? {}), geometry: true } });
    $('vrp-job-id').value = json.id;
    await openJob(json.id);
  } catch (err) {
    showError(err);
  }
}

async function readDroppedFiles(files) {
  for (const file of files) {
    let json;
    try {
      json = JSON.parse(await file.text());
    } catch (e) {
      showError({ code: 'InvalidJson', message: `${file.name}: ${e.message}` });
      continue;
    }
    if (json?.solution?.routes) json = json.solution; // a saved job
    if (Array.isArray(json?.routes) && json.summary) state.vrp.solution = json;
    else if (Array.isArray(json?.vehicles)) state.vrp.problem = json;
    else {
      showError({ code: 'UnknownFile', message: `${file.name} is neither a VROOM problem (vehicles) nor a solution (routes, summary)` });
      continue;
    }
    showError(null);
  }
  $('vrp-solve').hidden = !(state.vrp.problem && state.features.vrpJobs);
  if (state.vrp.solution) renderPlan(state.vrp.solution);
  else if (state.vrp.problem) vrpStatus(`problem: ${state.vrp.problem.jobs?.length ?? 0} jobs, ${state.vrp.problem.shipments?.length ?? 0} shipments, ${state.vrp.problem.vehicles.length} vehicles`);
}

/** Time windows of a task by type and id, from the problem when we have it. */
function timeWindowsOf(step) {
  const p = state.vrp.problem;
  if (!p) return [];
  if (step.type === 'job') return p.jobs?.find((j) => j.id === step.id)?.time_windows ?? [];
  if (step.type === 'pickup' || step.type === 'delivery') {
    for (const s of p.shipments ?? []) if (s[step.type]?.id === step.id) return s[step.type].time_windows ?? [];
  }
  return [];
}

function stepLocation(step) {
  if (step.location) return step.location;
  if (step.location_index != null) return state.vrp.problem?.locations?.[step.location_index] ?? null;
  return null;
}

function renderPlan(solution) {
  state.vrp.solution = solution;
  for (const m of state.vrp.markers) m.remove();
  state.vrp.markers = [];
  const features = [];
  const routesBox = $('vrp-routes');
  routesBox.innerHTML = `<div><strong>${solution.routes.length} route(s)</strong>, cost ${solution.summary?.cost ?? '?'}, ${formatDuration(solution.summary?.duration)}, ${formatDistance(solution.summary?.distance)}</div>`;
  const bounds = new maplibregl.LngLatBounds();
  solution.routes.forEach((route, r) => {
    const c = colour(r);
    const located = route.steps.map(stepLocation);
    const line = typeof route.geometry === 'string' ? decodePolyline(route.geometry) : located.filter(Boolean);
    if (line.length >= 2) features.push({ type: 'Feature', properties: { colour: c, vehicle: route.vehicle }, geometry: { type: 'LineString', coordinates: line } });
    let n = 0;
    route.steps.forEach((step, i) => {
      const at = located[i];
      if (!at) return;
      bounds.extend(at);
      if (step.type === 'break') return;
      const el = document.createElement('div');
      const depot = step.type === 'start' || step.type === 'end';
      el.className = depot ? 'stop depot' : 'stop';
      el.style.background = c;
      el.textContent = depot ? (step.type === 'start' ? 'S' : 'E') : String(++n);
      el.title = `vehicle ${route.vehicle} · ${step.type}${step.id != null ? ` ${step.id}` : ''} · arrival ${formatClock(step.arrival)}${step.waiting_time ? ` · waits ${formatDuration(step.waiting_time)}` : ''}`;
      state.vrp.markers.push(new maplibregl.Marker({ element: el }).setLngLat(at).setPopup(new maplibregl.Popup({ offset: 10 }).setText(el.title)).addTo(map));
    });
    const row = document.createElement('div');
    row.className = 'vrp-route';
    row.dataset.vehicle = String(route.vehicle);
    row.innerHTML = `<span class="swatch" style="background:${c}"></span>`;
    row.append(document.createTextNode(`vehicle ${route.vehicle}${route.description ? ` (${route.description})` : ''}: ${n} stops, ${formatDuration(route.duration)}, ${formatDistance(route.distance)}`));
    routesBox.append(row);
  });
  setSource('vrp', { type: 'FeatureCollection', features });
  state.vrp.routeCount = solution.routes.length;
  state.vrp.lineCount = features.length;
  if (!bounds.isEmpty()) map.fitBounds(bounds, { padding: 40, maxZoom: 16, duration: 0 });

  const un = $('vrp-unassigned');
  un.innerHTML = '';
  if (solution.unassigned?.length) {
    un.innerHTML = `<div><strong>${solution.unassigned.length} unassigned</strong></div>`;
    const ul = document.createElement('ul');
    for (const u of solution.unassigned) {
      const li = document.createElement('li');
      li.textContent = `${u.type ?? 'job'} ${u.id}: ${u.reason ?? 'no reason given'}`;
      ul.append(li);
    }
    un.append(ul);
  }
  renderTimeline(solution);
}

// One lane per vehicle: time windows of its tasks (green boxes) and arrivals (ticks in the route's
// colour; outlined red when service starts after the window closes).
function renderTimeline(solution) {
  const box = $('vrp-timeline');
  box.innerHTML = '';
  if (!solution.routes.length) return;
  let t0 = Infinity;
  let t1 = -Infinity;
  for (const r of solution.routes) {
    for (const s of r.steps) {
      t0 = Math.min(t0, s.arrival);
      t1 = Math.max(t1, s.arrival + (s.service ?? 0));
    }
  }
  for (const r of solution.routes) {
    for (const s of r.steps) {
      for (const [a, b] of timeWindowsOf(s)) {
        // windows that stretch far beyond the plan are clipped to it
        if (b - a < 4 * (t1 - t0 + 1)) {
          t0 = Math.min(t0, a);
          t1 = Math.max(t1, b);
        }
      }
    }
  }
  const span = Math.max(1, t1 - t0);
  const pct = (t) => `${(100 * (Math.min(Math.max(t, t0), t1) - t0)) / span}%`;
  const wrap = document.createElement('div');
  wrap.className = 'timeline';
  wrap.innerHTML = '<div><strong>Timeline</strong> (time windows vs arrivals)</div>';
  solution.routes.forEach((route, r) => {
    const lane = document.createElement('div');
    lane.className = 'lane';
    lane.innerHTML = `<span class="lane-label">${route.vehicle}</span>`;
    for (const s of route.steps) {
      for (const [a, b] of timeWindowsOf(s)) {
        const tw = document.createElement('div');
        tw.className = 'tw';
        tw.style.left = pct(a);
        tw.style.width = `calc(${pct(b)} - ${pct(a)})`;
        tw.title = `${s.type} ${s.id}: window ${formatClock(a)}–${formatClock(b)}`;
        lane.append(tw);
      }
      const tick = document.createElement('div');
      tick.className = 'arrival';
      tick.style.left = pct(s.arrival);
      tick.style.background = colour(r);
      const start = s.arrival + (s.waiting_time ?? 0);
      const windows = timeWindowsOf(s);
      if (windows.length && !windows.some(([a, b]) => start >= a && start <= b)) tick.classList.add('late');
      tick.title = `${s.type}${s.id != null ? ` ${s.id}` : ''}: arrival ${formatClock(s.arrival)}`;
      lane.append(tick);
    }
    wrap.append(lane);
  });
  const axis = document.createElement('div');
  axis.className = 'axis';
  axis.innerHTML = `<span>${formatClock(t0)}</span><span>${formatClock(t0 + span / 2)}</span><span>${formatClock(t1)}</span>`;
  wrap.append(axis);
  box.append(wrap);
}

// ---------------------------------------------------------------------------------------------------
// Feature detection and start-up

function detectFeatures(openapi) {
  const paths = openapi?.paths ?? {};
  const names = Object.keys(paths);
  const f = {
    route: '/route' in paths,
    matrix: '/matrix' in paths,
    vrpJobs: '/vrp/jobs' in paths,
  };
  const osrm = paths['/route/v1/{profile}/{coordinates}']?.get;
  if (osrm) {
    const params = (osrm.parameters ?? []).map((p) => p.name);
    f.osrmRoute = true;
    f.alternatives = params.includes('alternatives');
    f.steps = params.includes('steps');
  }
  const iso = names.find((p) => /isochrone/i.test(p));
  if (iso) {
    const op = paths[iso].post ? 'post' : paths[iso].get ? 'get' : null;
    if (op) {
      const spec = paths[iso][op];
      const bodyProps = spec.requestBody?.content?.['application/json']?.schema?.properties ?? {};
      const keys = op === 'post' ? Object.keys(bodyProps) : (spec.parameters ?? []).map((p) => p.name);
      const locationKey = ['location', 'coordinate', 'center', 'origin', 'coordinates'].find((k) => keys.includes(k)) ?? 'location';
      const timeKey = keys.find((k) => /minute/i.test(k)) ?? keys.find((k) => /time|range|contour|second|duration/i.test(k)) ?? 'minutes';
      f.isochrone = { path: iso, method: op, locationKey, timeKey, timeInSeconds: !/minute/i.test(timeKey) };
    }
  }
  f.zonesEta = !!paths['/zones/eta']?.post;
  f.zonesMatrix = !!paths['/zones/matrix']?.post;
  return f;
}

// Each tool's drawings show only while the tool is open, so plans and routes do not pile up.
const TOOL_LAYERS = {
  route: ['route', 'route-casing', 'route-alternatives', 'route-snap'],
  isochrone: ['isochrone-fill', 'isochrone-line'],
  matrix: [],
  zones: ['h3-fill', 'h3-line', 'h3-selected'],
  vrp: ['vrp'],
};

function toolMarkers(tool) {
  if (tool === 'route') return state.route.markers;
  if (tool === 'matrix') return state.matrix.markers;
  if (tool === 'vrp') return state.vrp.markers;
  if (tool === 'isochrone') return state.isochrone.marker ? [state.isochrone.marker] : [];
  if (tool === 'zones') return state.zones.marker ? [state.zones.marker] : [];
  return [];
}

function selectTool(tool) {
  state.tool = tool;
  for (const b of document.querySelectorAll('#tools button')) b.classList.toggle('active', b.dataset.tool === tool);
  for (const s of document.querySelectorAll('.tool')) s.hidden = s.id !== `tool-${tool}`;
  for (const [t, layers] of Object.entries(TOOL_LAYERS)) {
    for (const id of layers) if (map?.getLayer(id)) map.setLayoutProperty(id, 'visibility', t === tool ? 'visible' : 'none');
    for (const m of toolMarkers(t)) m.getElement().style.display = t === tool ? '' : 'none';
  }
}

function setProfile(profile) {
  state.profile = profile;
  const m = state.info.maps[profile];
  $('map-version').textContent = m ? `map ${m.version}` : '';
  map.getSource('roads')?.setTiles([tileUrl(profile)]);
  if (state.route.points.length >= 2) void computeRoute();
}

async function start() {
  const [{ json: info }, openapi] = await Promise.all([api('GET', '/info'), api('GET', '/openapi.json').then((r) => r.json).catch(() => null)]);
  state.info = info;
  state.features = detectFeatures(openapi);
  const profiles = Object.keys(info.maps);
  if (profiles.length === 0) throw new ApiError(503, 'NotReady', 'no map is loaded yet; reload the page in a moment');
  state.profile = profiles.includes('car') ? 'car' : profiles[0];
  const select = $('profile');
  for (const p of profiles) select.append(new Option(p, p, false, p === state.profile));
  select.addEventListener('change', () => setProfile(select.value));
  $('map-version').textContent = `map ${info.maps[state.profile].version}`;

  for (const b of document.querySelectorAll('#tools button')) b.addEventListener('click', () => selectTool(b.dataset.tool));
  document.querySelector('[data-tool=isochrone]').hidden = !state.features.isochrone;
  document.querySelector('[data-tool=matrix]').hidden = !state.features.matrix;
  document.querySelector('[data-tool=vrp]').hidden = !state.features.vrpJobs;
  $('h3-toggle').hidden = !state.features.zonesEta || !window.h3;
  $('zones-matrix-run').hidden = !state.features.zonesMatrix;

  const bbox = info.maps[state.profile].header.bbox;
  map = new maplibregl.Map({
    container: 'map',
    style: baseStyle(state.profile, bbox),
    bounds: [[bbox[0], bbox[1]], [bbox[2], bbox[3]]],
    fitBoundsOptions: { padding: 20 },
    attributionControl: { customAttribution: 'Roads: © OpenStreetMap contributors (ODbL), from the served map file' },
    canvasContextAttributes: { preserveDrawingBuffer: true }, // lets tests and screenshots read the canvas
  });
  window.waymark.map = map;
  map.addControl(new maplibregl.NavigationControl(), 'top-right');
  map.addControl(new maplibregl.ScaleControl(), 'bottom-right');
  await new Promise((resolve) => map.on('load', resolve));
  addOverlayLayers();
  setupRoadHover();

  map.on('click', (e) => {
    if (state.tool === 'route') routeClick(e.lngLat);
    else if (state.tool === 'matrix') matrixClick(e.lngLat);
    else if (state.tool === 'isochrone') void isochroneClick(e.lngLat);
    else if (state.tool === 'zones') void zonesClick(e.lngLat);
  });
  map.on('error', (e) => showError({ code: 'MapError', message: e.error?.message ?? String(e.error) }));
  $('route-clear').addEventListener('click', clearRoute);
  $('matrix-run').addEventListener('click', () => void computeMatrix());
  $('matrix-clear').addEventListener('click', () => {
    $('matrix-points').value = '';
    state.matrix.result = null;
    matrixMarkersRefresh();
    renderMatrix();
  });
  $('matrix-points').addEventListener('change', matrixMarkersRefresh);
  $('matrix-annotation').addEventListener('change', renderMatrix);
  $('zones-matrix-run').addEventListener('click', () => void zonesMatrix());
  $('zones-clear').addEventListener('click', clearZones);
  $('vrp-open').addEventListener('click', () => void openJob($('vrp-job-id').value.trim()));
  $('vrp-job-id').addEventListener('keydown', (e) => e.key === 'Enter' && void openJob($('vrp-job-id').value.trim()));
  $('vrp-file').addEventListener('change', (e) => void readDroppedFiles([...e.target.files]));
  $('vrp-solve').addEventListener('click', () => void solveDroppedProblem());
  for (const target of [document.body]) {
    target.addEventListener('dragover', (e) => e.preventDefault());
    target.addEventListener('drop', (e) => {
      e.preventDefault();
      selectTool('vrp');
      void readDroppedFiles([...(e.dataTransfer?.files ?? [])]);
    });
  }
  // Deep links: #vrp=<job id> opens a job's plan.
  const jobLink = /^#vrp=(.+)$/.exec(location.hash);
  if (jobLink && state.features.vrpJobs) {
    selectTool('vrp');
    $('vrp-job-id').value = decodeURIComponent(jobLink[1]);
    void openJob($('vrp-job-id').value);
  }
  document.body.dataset.ready = 'true';
}

start().catch((err) => showError(err));
