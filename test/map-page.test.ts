/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The map page in a real headless Chromium (Debian's /usr/bin/chromium driven by playwright-core)
 * against a real server on 127.0.0.1: it loads without console errors and without any request
 * leaving 127.0.0.1, draws the road tiles, routes on two clicks exactly as POST /route answers,
 * shows matrices and VRP plans, and shows the server's error codes. Screenshots of each state go to
 * build/map-screenshots (replaced on every run) for a developer to look at.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { native } from '../src/native/index.js';
import type { WaymarkServer } from '../src/server/app.js';
import { buildMapFromPbf } from '../src/build/build-map.js';
import { getProfile } from '../src/profiles/index.js';
import { dataPbf, monacoMap, repoRoot, tempDir } from './helpers.js';
import { getJson, postJson, startServer } from './server-helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
/** Kept after the run for a human to look at (build/ is not committed); the temp folder is left clean. */
export const screenshotDir = join(repoRoot, 'build', 'map-screenshots');

/** Pixels of the map canvas: how many differ from the background, and how many are route blue. */
async function canvasPixels(page: Page): Promise<{ total: number; drawn: number; routeBlue: number; colours: number }> {
  return page.evaluate(() => {
    const canvas = (window as any).waymark.map.getCanvas() as HTMLCanvasElement;
    const copy = document.createElement('canvas');
    copy.width = canvas.width;
    copy.height = canvas.height;
    const g = copy.getContext('2d')!;
    g.drawImage(canvas, 0, 0);
    const d = g.getImageData(0, 0, copy.width, copy.height).data;
    let drawn = 0;
    let routeBlue = 0;
    const colours = new Set<number>();
    for (let i = 0; i < d.length; i += 4) {
      const [r, gr, b] = [d[i], d[i + 1], d[i + 2]];
      if (Math.abs(r - 233) + Math.abs(gr - 229) + Math.abs(b - 220) > 24) drawn++;
      if (Math.abs(r - 52) + Math.abs(gr - 152) + Math.abs(b - 219) < 40) routeBlue++;
      colours.add((r >> 4) * 256 + (gr >> 4) * 16 + (b >> 4));
    }
    return { total: d.length / 4, drawn, routeBlue, colours: colours.size };
  });
}

async function mapIdle(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const map = (window as any).waymark?.map;
    return map && map.loaded() && map.areTilesLoaded() && !map.isMoving();
  }, undefined, { timeout: 30_000 });
}

/** Runs a camera change in the page and waits for the map to settle (render done, tiles loaded). */
async function moveAndSettle(page: Page, move: string, arg: unknown): Promise<void> {
  await page.evaluate(
    ([m, a]) =>
      new Promise<void>((resolve) => {
        const map = (window as any).waymark.map;
        map.once('idle', () => resolve());
        map[m as string](a, { duration: 0 });
      }),
    [move, arg] as const,
  );
}

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

describe('map page in headless Chromium', () => {
  let server: WaymarkServer;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  let userDataDir: string;
  let mapDir: string;
  const consoleErrors: string[] = [];
  const foreignRequests: string[] = [];
  const tileStatuses: number[] = [];

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: npm test installs it (apt-get install chromium)`);
    // Two profiles, so the profile selector has something to switch to.
    const car = (await monacoMap()).path;
    mapDir = tempDir('waymark-map-page-');
    const foot = join(mapDir, 'monaco.foot.wmap');
    await buildMapFromPbf({ input: dataPbf, output: foot, profile: getProfile('foot') });
    ({ server, base } = await startServer({ bodyLimitBytes: 1024 * 1024, maps: { car, foot } }));
    rmSync(screenshotDir, { recursive: true, force: true });
    mkdirSync(screenshotDir, { recursive: true });
    userDataDir = tempDir('waymark-chromium-');
    context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1024, height: 640 } });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
    context.on('request', (r) => {
      const url = r.url();
      if (!url.startsWith(`${base}/`) && !url.startsWith(`blob:${base}/`) && !url.startsWith('data:')) foreignRequests.push(url);
    });
    page.on('response', (r) => {
      if (r.url().includes('/tiles/')) tileStatuses.push(r.status());
    });
  });

  after(async () => {
    await context?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await server?.close();
    rmSync(server.config.dataDir, { recursive: true, force: true });
    if (mapDir) rmSync(mapDir, { recursive: true, force: true });
  });

  it('loads from 127.0.0.1 only, without console errors, and draws the road tiles of the map', async (t) => {
    const started = Date.now();
    await page.goto(`${base}/`);
    await page.waitForSelector('body[data-ready=true]', { timeout: 30_000 });
    await mapIdle(page);
    t.diagnostic(`page ready and base map drawn in ${Date.now() - started} ms`);
    assert.ok(tileStatuses.length > 0, 'tiles were requested');
    assert.ok(tileStatuses.every((s) => s === 200), `tile statuses: ${tileStatuses.join(',')}`);
    const px = await canvasPixels(page);
    assert.ok(px.drawn > px.total * 0.02, `roads cover ${px.drawn} of ${px.total} pixels`);
    assert.ok(px.colours >= 5, `${px.colours} colours drawn`);
    // The initial view is the map's bbox.
    const info = (await getJson(base, '/info')).json;
    const bbox = info.maps.car.header.bbox as number[];
    const bounds = await page.evaluate(() => (window as any).waymark.map.getBounds().toArray());
    assert.ok(bounds[0][0] <= bbox[0] && bounds[0][1] <= bbox[1] && bounds[1][0] >= bbox[2] && bounds[1][1] >= bbox[3], 'the view holds the bbox');
    assert.ok(bounds[1][0] - bounds[0][0] < 4 * (bbox[2] - bbox[0]), 'and is not much larger');
    assert.equal(await page.locator('#map-version').textContent(), `map ${info.maps.car.version}`);
    await page.screenshot({ path: join(screenshotDir, '1-base-map.png') });
    // The isochrone and H3 zone tools show exactly when /openapi.json documents their endpoints.
    const spec = (await getJson(base, '/openapi.json')).json.paths as Record<string, { get?: unknown; post?: unknown }>;
    const paths = Object.keys(spec);
    assert.ok(spec['/isochrone']?.post && spec['/zones/eta']?.post, 'this server offers POST /isochrone and POST /zones/eta');
    assert.equal(await page.locator('[data-tool=isochrone]').isVisible(), paths.some((p) => /isochrone/i.test(p)));
    assert.equal(await page.locator('#h3-toggle').isVisible(), !!spec['/zones/eta']?.post);
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(foreignRequests, []);
  });

  it('two clicks draw a route whose summary is exactly what POST /route answers', async (t) => {
    const box = (await page.locator('#map').boundingBox())!;
    const clicked = Date.now();
    await page.mouse.click(box.x + box.width * 0.3, box.y + box.height * 0.62);
    await page.mouse.click(box.x + box.width * 0.68, box.y + box.height * 0.32);
    await page.waitForSelector('#route-summary[data-rendered=true]', { timeout: 30_000 });
    await mapIdle(page);
    t.diagnostic(`clicks to rendered route: ${Date.now() - clicked} ms`);
    const shown = await page.locator('#route-summary').evaluate((el: HTMLElement) => ({ ...el.dataset, text: el.textContent }) as Record<string, string | undefined>);
    const coordinates = JSON.parse(shown.coordinates!);
    assert.equal(coordinates.length, 2);
    const answer = await postJson(base, '/route', { coordinates, profile: shown.profile });
    assert.equal(answer.status, 200);
    assert.equal(Number(shown.duration), answer.json.duration);
    assert.equal(Number(shown.distance), answer.json.distance);
    assert.equal(shown.version, answer.headers.get('x-map-version'));
    assert.match(shown.text!, new RegExp((answer.json.distance / 1000).toFixed(2)));
    const px = await canvasPixels(page);
    assert.ok(px.routeBlue > 200, `${px.routeBlue} route-blue pixels`);
    // /openapi.json documents steps and alternatives on /route/v1, so the page shows the turn-by-turn
    // list and the alternatives that endpoint answers (the alternatives box stays hidden when it has none).
    const osrmPath = `/route/v1/${shown.profile}/${coordinates.map((c: number[]) => c.join(',')).join(';')}?overview=full&geometries=geojson&alternatives=true&steps=true`;
    const osrm = await getJson(base, osrmPath);
    assert.equal(osrm.status, 200);
    const routes = osrm.json.routes as { legs: { steps: unknown[] }[] }[];
    const stepCount = routes[0].legs.reduce((n, l) => n + l.steps.length, 0);
    assert.ok(stepCount >= 2, 'a route has at least depart and arrive');
    await page.waitForFunction((n) => {
      const box = document.querySelector<HTMLElement>('#route-steps');
      return !!box && !box.hidden && box.querySelectorAll('li').length === n;
    }, stepCount);
    const stepTexts = await page.locator('#route-steps li').allTextContents();
    assert.match(stepTexts[0], /^depart/);
    assert.match(stepTexts[stepTexts.length - 1], /^arrive/);
    if (routes.length > 1) {
      assert.ok(await page.locator('#route-alternatives').isVisible());
      assert.equal(await page.locator('#route-alternatives > div').count(), routes.length, 'a title and one line per alternative');
    } else {
      assert.ok(await page.locator('#route-alternatives').isHidden());
    }
    t.diagnostic(`turn-by-turn steps shown: ${stepCount}; alternatives shown: ${routes.length - 1}`);
    await page.screenshot({ path: join(screenshotDir, '2-route.png') });
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(foreignRequests, []);
  });

  it('a third click adds a via point and dragging a marker moves it; each time the route is what POST /route answers', async () => {
    const box = (await page.locator('#map').boundingBox())!;
    const summary = page.locator('#route-summary');
    const before = await summary.getAttribute('data-coordinates');
    await page.mouse.click(box.x + box.width * 0.45, box.y + box.height * 0.4);
    await page.waitForFunction((b) => document.querySelector<HTMLElement>('#route-summary')?.dataset.coordinates !== b, before);
    const check = async (n: number) => {
      const shown = await summary.evaluate((el: HTMLElement) => ({ ...el.dataset }) as Record<string, string | undefined>);
      const coordinates = JSON.parse(shown.coordinates!);
      assert.equal(coordinates.length, n);
      const answer = await postJson(base, '/route', { coordinates, profile: shown.profile });
      assert.equal(Number(shown.duration), answer.json.duration);
      assert.equal(Number(shown.distance), answer.json.distance);
      return coordinates as number[][];
    };
    const withVia = await check(3);
    assert.deepEqual(JSON.parse(before!)[0], withVia[0], 'the start stays');
    assert.deepEqual(JSON.parse(before!)[1], withVia[2], 'the end stays last');
    assert.equal(await page.locator('.marker.via').count(), 1);
    // Drag the end marker 80 px left.
    const end = (await page.locator('.marker.end').boundingBox())!;
    const moved = await summary.getAttribute('data-coordinates');
    await page.mouse.move(end.x + end.width / 2, end.y + end.height / 2);
    await page.mouse.down();
    await page.mouse.move(end.x + end.width / 2 - 40, end.y + end.height / 2 + 10, { steps: 5 });
    await page.mouse.move(end.x + end.width / 2 - 80, end.y + end.height / 2 + 20, { steps: 5 });
    await page.mouse.up();
    await page.waitForFunction((b) => document.querySelector<HTMLElement>('#route-summary')?.dataset.coordinates !== b, moved);
    const dragged = await check(3);
    assert.notDeepEqual(dragged[2], withVia[2]);
    assert.ok(dragged[2][0] < withVia[2][0], 'the end moved west');
    // Right-click removes the via point again.
    await page.locator('.marker.via').click({ button: 'right' });
    await page.waitForFunction(() => JSON.parse(document.querySelector<HTMLElement>('#route-summary')?.dataset.coordinates ?? '[]').length === 2);
    await check(2);
    await mapIdle(page);
    assert.deepEqual(consoleErrors, []);
  });

  it('the profile selector switches the tiles and the route to another profile', async () => {
    assert.deepEqual(await page.locator('#profile option').allTextContents(), ['car', 'foot']);
    const footTile = page.waitForResponse((r) => r.url().includes('/tiles/foot/'), { timeout: 30_000 });
    const footRoute = page.waitForResponse((r) => r.url().endsWith('/route') && r.request().postDataJSON()?.profile === 'foot', { timeout: 30_000 });
    await page.selectOption('#profile', 'foot');
    assert.equal((await footTile).status(), 200);
    await footRoute;
    await page.waitForFunction(() => document.querySelector<HTMLElement>('#route-summary')?.dataset.profile === 'foot');
    await mapIdle(page);
    const shown = await page.locator('#route-summary').evaluate((el: HTMLElement) => ({ ...el.dataset }) as Record<string, string | undefined>);
    const answer = await postJson(base, '/route', { coordinates: JSON.parse(shown.coordinates!), profile: 'foot' });
    assert.equal(Number(shown.duration), answer.json.duration);
    assert.equal(Number(shown.distance), answer.json.distance);
    assert.equal(shown.version, answer.headers.get('x-map-version'));
    assert.equal(await page.locator('#map-version').textContent(), `map ${answer.headers.get('x-map-version')}`);
    await page.screenshot({ path: join(screenshotDir, '3-route-foot.png') });
    await page.selectOption('#profile', 'car');
    await page.waitForFunction(() => document.querySelector<HTMLElement>('#route-summary')?.dataset.profile === 'car');
    assert.deepEqual(consoleErrors, []);
  });

  it('shows a matrix as a table with a colour scale, equal to POST /matrix', async () => {
    const { map } = await monacoMap();
    const flat = native.randomRoadPoints(map.handle, 4, 11);
    const points = Array.from({ length: 4 }, (_, i) => [Math.round(flat[2 * i] * 1e6) / 1e6, Math.round(flat[2 * i + 1] * 1e6) / 1e6]);
    await page.click('[data-tool=matrix]');
    await page.fill('#matrix-points', points.map((p) => p.join(',')).join('\n'));
    await page.click('#matrix-run');
    await page.waitForSelector('table.matrix');
    const cells = await page.locator('table.matrix tr').evaluateAll((rows) => rows.slice(1).map((r) => [...r.querySelectorAll('td')].map((td) => [td.textContent, (td as HTMLElement).style.background])));
    const answer = await postJson(base, '/matrix', { sources: points, annotations: ['duration', 'distance'] });
    assert.equal(cells.length, 4);
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        assert.equal(cells[i][j][0], answer.json.durations[i][j].toFixed(0));
        assert.match(cells[i][j][1] as string, /^rgb/);
      }
    }
    assert.equal(await page.locator('.marker.matrix').count(), 4);
    await page.screenshot({ path: join(screenshotDir, '4-matrix.png') });
    assert.deepEqual(consoleErrors, []);
  });

  it('the isochrone tool draws the polygons POST /isochrone answers, one colour per contour', async (t) => {
    await page.click('[data-tool=isochrone]');
    await page.fill('#iso-minutes', '2,5');
    const box = (await page.locator('#map').boundingBox())!;
    const answered = page.waitForResponse((r) => r.url().endsWith('/isochrone') && r.request().method() === 'POST', { timeout: 30_000 });
    const clicked = Date.now();
    await page.mouse.click(box.x + box.width * 0.45, box.y + box.height * 0.45);
    const response = await answered;
    assert.equal(response.status(), 200);
    await page.waitForSelector('#iso-summary[data-rendered=true]', { timeout: 30_000 });
    await mapIdle(page);
    t.diagnostic(`click to drawn isochrone: ${Date.now() - clicked} ms`);
    const sent = response.request().postDataJSON();
    assert.deepEqual(sent.contours_minutes, [2, 5]);
    assert.equal(sent.location.length, 2);
    // The server's answer to the same body, asked independently of the page.
    const answer = await postJson(base, '/isochrone', sent);
    assert.equal(answer.status, 200);
    assert.equal(answer.json.type, 'FeatureCollection');
    const contours = (answer.json.features as { properties: { contour: number } }[]).map((f) => f.properties.contour).sort((a, b) => a - b);
    assert.deepEqual(contours, [2, 5]);
    const shown = await page.locator('#iso-summary').evaluate((el: HTMLElement) => ({ ...el.dataset }) as Record<string, string | undefined>);
    assert.equal(Number(shown.count), answer.json.features.length);
    assert.deepEqual(JSON.parse(shown.contours!).sort((a: number, b: number) => a - b), contours);
    // What the page drew is the answer (geometry and properties), plus a fill colour per contour.
    const drawn = await page.evaluate(() => (window as any).waymark.isochrone.result);
    assert.deepEqual(drawn, answer.json);
    const rendered = await page.evaluate(() => {
      const fs = (window as any).waymark.map.queryRenderedFeatures({ layers: ['isochrone-fill'] }) as { properties: { contour: number; fill: string } }[];
      return [...new Map(fs.map((f) => [f.properties.contour, f.properties.fill])).entries()].sort((a, b) => a[0] - b[0]);
    });
    assert.deepEqual(rendered.map(([c]) => c), contours, 'both contours are rendered');
    assert.notEqual(rendered[0][1], rendered[1][1], 'each contour has its own colour');
    assert.equal(await page.locator('#iso-legend .swatch').count(), 2);
    await page.screenshot({ path: join(screenshotDir, '5-isochrone.png') });
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(foreignRequests, []);
  });

  it('the H3 zones overlay colours the cells of the view by ETA to a clicked point, as POST /zones/eta answers', async () => {
    await page.click('[data-tool=zones]');
    await moveAndSettle(page, 'jumpTo', { center: [7.4215, 43.7355], zoom: 14.2 });
    const box = (await page.locator('#map').boundingBox())!;
    const answered = page.waitForResponse((r) => r.url().endsWith('/zones/eta') && r.request().method() === 'POST', { timeout: 60_000 });
    await page.mouse.click(box.x + box.width * 0.5, box.y + box.height * 0.5);
    const response = await answered;
    assert.equal(response.status(), 200);
    await page.waitForSelector('#zones-summary[data-rendered=true]', { timeout: 30_000 });
    await mapIdle(page);
    const sent = response.request().postDataJSON();
    assert.equal(sent.resolution, 9, 'resolution 9 when zoomed in');
    const answer = await postJson(base, '/zones/eta', sent);
    assert.equal(answer.status, 200);
    const cells = answer.json.cells as { cell: string; duration: number | null }[];
    const roadless = answer.json.roadless as string[];
    const withEta = cells.filter((c) => c.duration != null);
    assert.ok(withEta.length >= 10, `${withEta.length} cells with an ETA`);
    const drawn = (await page.evaluate(() => (window as any).waymark.zones.drawn)) as { properties: { cell: string; eta: number | null; colour: string; reachable: boolean }; geometry: { coordinates: number[][][] } }[];
    // One polygon per answered cell: the cells with an ETA carry it, the others are "not reachable".
    assert.equal(drawn.length, cells.length + roadless.length);
    const reachable = drawn.filter((f) => f.properties.reachable);
    assert.equal(reachable.length, withEta.length);
    assert.deepEqual(new Map(reachable.map((f) => [f.properties.cell, f.properties.eta])), new Map(withEta.map((c) => [c.cell, c.duration])));
    const grey = drawn.filter((f) => !f.properties.reachable);
    assert.ok(roadless.length > 0, 'the view holds road-less cells (the sea), drawn as not reachable');
    assert.deepEqual(grey.map((f) => f.properties.cell).sort(), [...cells.filter((c) => c.duration == null).map((c) => c.cell), ...roadless].sort());
    assert.ok(grey.every((f) => f.properties.colour === grey[0].properties.colour) && reachable.every((f) => f.properties.colour !== grey[0]?.properties.colour));
    // Colours differ with the ETA: the hue falls (green to red) as the ETA grows.
    const hue = (c: string) => Number(/^hsl\((\d+)/.exec(c)![1]);
    const byEta = [...reachable].sort((a, b) => a.properties.eta! - b.properties.eta!);
    assert.ok(new Set(byEta.map((f) => f.properties.colour)).size >= 4, 'several colours');
    for (let i = 1; i < byEta.length; i++) assert.ok(hue(byEta[i].properties.colour) <= hue(byEta[i - 1].properties.colour));
    assert.ok(hue(byEta[0].properties.colour) > hue(byEta[byEta.length - 1].properties.colour));
    // Cell outlines are h3-js's hexagons (6 corners, 5 at pentagons, closed rings).
    for (const f of drawn) assert.ok(f.geometry.coordinates[0].length >= 6 && f.geometry.coordinates[0].length <= 11);
    // The map renders every one of them.
    const rendered = await page.evaluate(() => new Set(((window as any).waymark.map.queryRenderedFeatures({ layers: ['h3-fill'] }) as { properties: { cell: string } }[]).map((f) => f.properties.cell)).size);
    assert.equal(rendered, drawn.length);
    const shown = await page.locator('#zones-summary').evaluate((el: HTMLElement) => ({ ...el.dataset }) as Record<string, string | undefined>);
    assert.equal(Number(shown.reached), withEta.length);
    assert.equal(Number(shown.unreachable), grey.length);
    assert.equal(await page.locator('#zones-legend .swatch').count(), 6);
    await page.screenshot({ path: join(screenshotDir, '6-h3-eta.png') });

    // The zone matrix of the same view as a table equal to POST /zones/matrix.
    const matrixAnswered = page.waitForResponse((r) => r.url().endsWith('/zones/matrix'), { timeout: 120_000 });
    await page.click('#zones-matrix-run');
    const matrixResponse = await matrixAnswered;
    assert.equal(matrixResponse.status(), 200);
    await page.waitForSelector('table.matrix.zones', { timeout: 30_000 });
    const matrix = await postJson(base, '/zones/matrix', matrixResponse.request().postDataJSON());
    const table = await page.locator('table.matrix.zones tr').evaluateAll((rows) => rows.slice(1).map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)));
    assert.deepEqual(table, (matrix.json.durations as (number | null)[][]).map((row) => row.map((v) => (v == null ? '—' : v.toFixed(0)))));
    // The map shows one row of it (row 0, then the clicked row): time from that cell to each cell.
    const rowShown = async (i: number) => {
      const shownRow = (await page.evaluate(() => (window as any).waymark.zones.drawn)) as { properties: { cell: string; eta: number | null; roadless?: boolean } }[];
      const expected = new Map((matrix.json.cells as string[]).map((c, j) => [c, matrix.json.durations[i][j]]));
      assert.deepEqual(new Map(shownRow.filter((f) => !f.properties.roadless).map((f) => [f.properties.cell, f.properties.eta])), expected);
    };
    await rowShown(0);
    const last = matrix.json.cells.length - 1;
    await page.locator('table.matrix.zones tr').nth(last + 1).locator('th').click();
    await rowShown(last);
    await mapIdle(page);
    await page.screenshot({ path: join(screenshotDir, '7-h3-matrix.png') });
    await page.click('#zones-clear');
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(foreignRequests, []);
  });

  it("a VRP job's plan shows one coloured route per solution route, numbered stops, unassigned reasons and a timeline", async () => {
    const { map } = await monacoMap();
    const flat = native.randomRoadPoints(map.handle, 16, 5);
    const at = (i: number) => [flat[2 * i], flat[2 * i + 1]];
    const problem = {
      vehicles: [1, 2, 3].map((id) => ({ id, start: at(0), end: at(0), capacity: [10], time_window: [0, 7200] })),
      jobs: Array.from({ length: 14 }, (_, k) => ({
        id: k + 1,
        location: at(k + 1),
        service: 120,
        delivery: [2],
        ...(k % 3 === 0 ? { time_windows: [[600 + 60 * k, 1800 + 60 * k]] } : {}),
      })).concat([{ id: 99, location: at(15), service: 60, delivery: [9] }]), // too big for any vehicle
      options: { time_limit: 0.5, seed: 2, geometry: true },
    };
    const created = await postJson(base, '/vrp/jobs', problem);
    assert.equal(created.status, 202, JSON.stringify(created.json));
    let job;
    for (let i = 0; i < 300; i++) {
      job = (await getJson(base, `/vrp/jobs/${created.json.id}`)).json;
      if (job.status === 'succeeded' || job.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(job.status, 'succeeded');
    const solution = job.solution;
    assert.ok(solution.routes.length >= 2, `${solution.routes.length} routes`);
    assert.ok(solution.unassigned.some((u: { id: number }) => u.id === 99));

    await page.click('[data-tool=vrp]');
    await page.fill('#vrp-job-id', created.json.id);
    await page.click('#vrp-open');
    await page.waitForSelector('.vrp-route');
    await mapIdle(page);
    assert.equal(await page.locator('.vrp-route').count(), solution.routes.length);
    assert.equal(await page.evaluate(() => (window as any).waymark.vrp.lineCount), solution.routes.length);
    const taskSteps = solution.routes.flatMap((r: { steps: { type: string }[] }) => r.steps.filter((s) => s.type === 'job'));
    assert.equal(await page.locator('.stop:not(.depot)').count(), taskSteps.length);
    const numbers = await page.locator('.stop:not(.depot)').allTextContents();
    assert.deepEqual(
      numbers,
      solution.routes.flatMap((r: { steps: { type: string }[] }) => r.steps.filter((s) => s.type === 'job').map((_s, i) => String(i + 1))),
    );
    const unassigned = await page.locator('#vrp-unassigned li').allTextContents();
    assert.deepEqual(unassigned, solution.unassigned.map((u: { id: number; reason: string }) => `job ${u.id}: ${u.reason}`));
    assert.equal(await page.locator('.timeline .lane').count(), solution.routes.length);
    await page.screenshot({ path: join(screenshotDir, '8-vrp-job.png') });

    // Dropping the problem file adds its time windows to the timeline.
    await page.setInputFiles('#vrp-file', { name: 'problem.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(problem)) });
    await page.waitForSelector('.timeline .tw');
    assert.equal(await page.locator('.timeline .tw').count(), problem.jobs.filter((j) => 'time_windows' in j).length);
    assert.ok(await page.locator('#vrp-solve').isVisible());
    await page.screenshot({ path: join(screenshotDir, '9-vrp-timeline.png') });

    // The dropped problem sent as a new job: the page polls it and draws its plan.
    const posted = page.waitForResponse((r) => r.url().endsWith('/vrp/jobs') && r.request().method() === 'POST');
    await page.click('#vrp-solve');
    const newId = (await (await posted).json()).id as string;
    assert.notEqual(newId, created.json.id);
    await page.waitForFunction((id) => document.querySelector('#vrp-status')?.textContent === `job ${id}: succeeded`, newId, { timeout: 60_000 });
    const second = (await getJson(base, `/vrp/jobs/${newId}`)).json;
    assert.equal(await page.locator('.vrp-route').count(), second.solution.routes.length);

    // A dropped solution file alone draws the same plan.
    await page.reload();
    await page.waitForSelector('body[data-ready=true]');
    await page.click('[data-tool=vrp]');
    await page.setInputFiles('#vrp-file', { name: 'solution.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(solution)) });
    await page.waitForSelector('.vrp-route');
    assert.equal(await page.locator('.vrp-route').count(), solution.routes.length);
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(foreignRequests, []);
  });

  it("shows the server's error code and message", async () => {
    await page.click('[data-tool=vrp]');
    await page.fill('#vrp-job-id', 'no-such-job');
    await page.click('#vrp-open');
    await page.waitForSelector('#error:not([hidden])');
    const answer = await getJson(base, '/vrp/jobs/no-such-job');
    assert.equal(await page.locator('#error code').textContent(), answer.json.code);
    assert.equal(await page.locator('#error').textContent(), `${answer.json.code}: ${answer.json.message}`);

    await page.click('[data-tool=matrix]');
    await page.fill('#matrix-points', '0,0\n1,1');
    await page.click('#matrix-run');
    await page.waitForFunction(() => document.querySelector('#error code')?.textContent === 'NoSegment');
    await page.screenshot({ path: join(screenshotDir, '10-error.png') });
    // The browser logs each refused request as a console error; nothing else may appear.
    assert.deepEqual(consoleErrors.filter((e) => !/status of (400|404)/.test(e)), []);
    assert.deepEqual(foreignRequests, []);
  });

  it('figures: tile generation time and cache hit rate while panning; page load to first rendered route and to first drawn isochrone', async (t) => {
    const stats = server.roadTiles.stats;
    const before = { hits: stats.hits, misses: stats.misses, revalidated: stats.revalidated, n: stats.generationMs.length };
    await page.goto(`${base}/map`);
    await page.waitForSelector('body[data-ready=true]');
    await mapIdle(page);
    // Pan across the map at street zoom (what a user does), then load the page again and pan the same way.
    for (let round = 0; round < 2; round++) {
      await moveAndSettle(page, 'jumpTo', { center: [7.413, 43.728], zoom: 16 });
      for (const offset of [[300, 0], [300, 0], [0, -250], [-300, 0]]) await moveAndSettle(page, 'panBy', offset);
      if (round === 0) {
        await page.reload();
        await page.waitForSelector('body[data-ready=true]');
        await mapIdle(page);
      }
    }
    const hits = stats.hits - before.hits;
    const misses = stats.misses - before.misses;
    const revalidated = stats.revalidated - before.revalidated;
    const generation = stats.generationMs.slice(before.n);
    const served = hits + misses + revalidated;
    assert.ok(served > 0 && misses > 0);
    t.diagnostic(
      `tiles while panning: ${served} requests, ${misses} cut, ${hits} from the server cache, ${revalidated} revalidated (304); ` +
        `hit rate ${(((hits + revalidated) / served) * 100).toFixed(1)}%; generation p50 ${percentile(generation, 50).toFixed(2)} ms, ` +
        `p99 ${percentile(generation, 99).toFixed(2)} ms (all tiles so far: p50 ${percentile(stats.generationMs, 50).toFixed(2)} ms, p99 ${percentile(stats.generationMs, 99).toFixed(2)} ms over ${stats.generationMs.length}); ` +
        `index build ${Object.values(stats.indexBuildMs).map((v) => v.toFixed(1)).join(', ')} ms`,
    );

    // Page load to first rendered route, in a fresh tab: navigation start to the route drawn after two clicks.
    const fresh = await context.newPage();
    const navigated = Date.now();
    await fresh.goto(`${base}/`);
    await fresh.waitForSelector('body[data-ready=true]');
    const box = (await fresh.locator('#map').boundingBox())!;
    await fresh.mouse.click(box.x + box.width * 0.3, box.y + box.height * 0.62);
    await fresh.mouse.click(box.x + box.width * 0.68, box.y + box.height * 0.32);
    await fresh.waitForSelector('#route-summary[data-rendered=true]');
    const inPage = await fresh.evaluate(() => (window as any).waymark.firstRouteRenderedAt as number);
    t.diagnostic(`page load to first rendered route: ${Date.now() - navigated} ms wall clock (${inPage.toFixed(0)} ms after navigation start, in the page)`);
    await fresh.close();

    // Page load to first drawn isochrone (2 and 5 minutes), in a fresh tab.
    const isoTab = await context.newPage();
    const isoNavigated = Date.now();
    await isoTab.goto(`${base}/`);
    await isoTab.waitForSelector('body[data-ready=true]');
    await isoTab.click('[data-tool=isochrone]');
    await isoTab.fill('#iso-minutes', '2,5');
    const isoBox = (await isoTab.locator('#map').boundingBox())!;
    await isoTab.mouse.click(isoBox.x + isoBox.width * 0.45, isoBox.y + isoBox.height * 0.45);
    await isoTab.waitForSelector('#iso-summary[data-rendered=true]', { timeout: 30_000 });
    const isoInPage = await isoTab.evaluate(() => (window as any).waymark.firstIsochroneRenderedAt as number);
    t.diagnostic(`page load to first drawn isochrone: ${Date.now() - isoNavigated} ms wall clock (${isoInPage.toFixed(0)} ms after navigation start, in the page)`);
    await isoTab.close();
    assert.deepEqual(foreignRequests, []);
  });
});
