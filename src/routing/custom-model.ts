/**
 * GraphHopper's custom models (https://docs.graphhopper.com/ "custom model"): `priority` and `speed`
 * statements (`if` / `else_if` / `else`, each with `multiply_by` or `limit_to`) and
 * `distance_influence` (seconds per km). Validated here with the field path of every mistake, then
 * compiled into three numbers per edge (speed factor, speed cap, priority) that the native metric
 * turns into weights: travel time = length / speed, weight = travel time / priority +
 * distance_influence * km. Conditions are evaluated once per distinct combination of edge
 * attributes, not once per edge.
 */
import { createHash } from 'node:crypto';
import { WaymarkError } from '../errors.js';
import { native, type MapHandle } from '../native/index.js';

export interface CustomModelStatement {
  if?: string;
  else_if?: string;
  else?: string | null;
  multiply_by?: number | string;
  limit_to?: number | string;
}

export interface CustomModel {
  priority?: CustomModelStatement[];
  speed?: CustomModelStatement[];
  distance_influence?: number;
}

/** Error code of every custom-model mistake (400). */
export const INVALID_CUSTOM_MODEL = 'InvalidCustomModel';

function invalid(path: string, message: string): never {
  throw new WaymarkError(INVALID_CUSTOM_MODEL, `${path}: ${message}`);
}

// --- encoded values -----------------------------------------------------------------------------

const ROAD_CLASSES = [
  'OTHER', 'MOTORWAY', 'TRUNK', 'PRIMARY', 'SECONDARY', 'TERTIARY', 'RESIDENTIAL', 'UNCLASSIFIED', 'SERVICE', 'ROAD', 'TRACK',
  'BRIDLEWAY', 'STEPS', 'CYCLEWAY', 'PATH', 'LIVING_STREET', 'FOOTWAY', 'PEDESTRIAN', 'PLATFORM', 'CORRIDOR', 'CONSTRUCTION', 'BUSWAY',
] as const;
const TOLL = ['MISSING', 'NO', 'HGV', 'ALL'] as const;
const ROAD_ENVIRONMENT = ['OTHER', 'ROAD', 'FERRY', 'TUNNEL', 'BRIDGE', 'FORD'] as const;
export const SURFACES = [
  'MISSING', 'PAVED', 'ASPHALT', 'CONCRETE', 'PAVING_STONES', 'COBBLESTONE', 'UNPAVED', 'COMPACTED', 'FINE_GRAVEL', 'GRAVEL', 'GROUND',
  'DIRT', 'GRASS', 'SAND', 'WOOD', 'OTHER',
] as const;
export const ROAD_ACCESS = ['YES', 'DESTINATION', 'CUSTOMERS', 'DELIVERY', 'FORESTRY', 'AGRICULTURAL', 'PRIVATE', 'NO', 'OTHER'] as const;

type EnumVariable = 'road_class' | 'toll' | 'road_environment' | 'surface' | 'road_access';
const ENUMS: Record<EnumVariable, readonly string[]> = {
  road_class: ROAD_CLASSES,
  toll: TOLL,
  road_environment: ROAD_ENVIRONMENT,
  surface: SURFACES,
  road_access: ROAD_ACCESS,
};
const NUMERIC = new Set(['max_speed']);
const BOOLEAN = new Set(['road_class_link']);
/** GraphHopper's max_speed where the map has none. */
export const MAX_SPEED_MISSING = 150;

/** The attributes of one edge, as conditions see them. */
export interface EdgeAttributes {
  road_class: string;
  toll: string;
  road_environment: string;
  surface: string;
  road_access: string;
  max_speed: number;
  road_class_link: boolean;
}

// --- conditions ---------------------------------------------------------------------------------

type Condition = (a: EdgeAttributes) => boolean;

/** Parses a condition (`road_class == MOTORWAY && max_speed > 80 || !(toll == NO)`); path names it in errors. */
export function parseCondition(text: string, path: string): Condition {
  const tokens = text.match(/\s*(==|!=|<=|>=|&&|\|\||[()<>!]|[A-Za-z_][A-Za-z0-9_]*|-?\d+(?:\.\d+)?|\S)/g)?.map((t) => t.trim()) ?? [];
  let at = 0;
  const peek = () => tokens[at];
  const next = () => tokens[at++];
  const fail = (message: string): never => invalid(path, `${message} in condition '${text}'`);
  const expr = (): Condition => {
    let left = and();
    while (peek() === '||') {
      next();
      const a = left, b = and();
      left = (x) => a(x) || b(x);
    }
    return left;
  };
  const and = (): Condition => {
    let left = unary();
    while (peek() === '&&') {
      next();
      const a = left, b = unary();
      left = (x) => a(x) && b(x);
    }
    return left;
  };
  const unary = (): Condition => {
    if (peek() === '!') {
      next();
      const a = unary();
      return (x) => !a(x);
    }
    return primary();
  };
  const primary = (): Condition => {
    const t = next();
    if (t === undefined) return fail('unexpected end');
    if (t === '(') {
      const inner = expr();
      if (next() !== ')') fail("missing ')'");
      return inner;
    }
    if (t === 'true') return () => true;
    if (t === 'false') return () => false;
    if (BOOLEAN.has(t)) return (x) => x[t as 'road_class_link'];
    if (t in ENUMS) {
      const op = next();
      if (op !== '==' && op !== '!=') fail(`${t} can only be compared with == or !=`);
      const value = next();
      if (value === undefined || !ENUMS[t as EnumVariable].includes(value)) {
        fail(`unknown ${t} value '${value ?? ''}' (one of ${ENUMS[t as EnumVariable].join(', ')})`);
      }
      const key = t as EnumVariable;
      return op === '==' ? (x) => x[key] === value : (x) => x[key] !== value;
    }
    if (NUMERIC.has(t)) {
      const op = next();
      const value = Number(next());
      if (!['==', '!=', '<', '<=', '>', '>='].includes(op ?? '')) fail(`${t} needs a comparison (==, !=, <, <=, >, >=)`);
      if (!Number.isFinite(value)) fail(`${t} must be compared with a number`);
      const get = (x: EdgeAttributes) => x.max_speed;
      switch (op) {
        case '==': return (x) => get(x) === value;
        case '!=': return (x) => get(x) !== value;
        case '<': return (x) => get(x) < value;
        case '<=': return (x) => get(x) <= value;
        case '>': return (x) => get(x) > value;
        default: return (x) => get(x) >= value;
      }
    }
    return fail(`unknown variable '${t}' (road_class, road_class_link, road_environment, toll, surface, road_access, max_speed)`);
  };
  const condition = expr();
  if (at !== tokens.length) fail(`unexpected '${tokens[at]}'`);
  return condition;
}

// --- statements ---------------------------------------------------------------------------------

interface Clause {
  kind: 'if' | 'else_if' | 'else';
  condition: Condition;
  op: 'multiply_by' | 'limit_to';
  value: number;
}

const STATEMENT_KEYS = new Set(['if', 'else_if', 'else', 'multiply_by', 'limit_to']);

function parseStatements(list: unknown, path: string, limits: { multiply: number; limit: number }): Clause[] {
  if (!Array.isArray(list)) invalid(path, 'must be an array of statements');
  const out: Clause[] = [];
  (list as unknown[]).forEach((s, i) => {
    const at = `${path}[${i}]`;
    if (typeof s !== 'object' || s === null || Array.isArray(s)) invalid(at, 'must be an object');
    const st = s as Record<string, unknown>;
    for (const k of Object.keys(st)) if (!STATEMENT_KEYS.has(k)) invalid(`${at}.${k}`, 'unknown field (if, else_if, else, multiply_by, limit_to)');
    const kinds = (['if', 'else_if', 'else'] as const).filter((k) => k in st);
    if (kinds.length !== 1) invalid(at, 'needs exactly one of if, else_if, else');
    const ops = (['multiply_by', 'limit_to'] as const).filter((k) => k in st);
    if (ops.length !== 1) invalid(at, 'needs exactly one of multiply_by, limit_to');
    const kind = kinds[0], op = ops[0];
    if (kind !== 'if' && (out.length === 0 || out[out.length - 1].kind === 'else')) invalid(`${at}.${kind}`, `must follow an if or else_if statement`);
    let condition: Condition = () => true;
    if (kind === 'else') {
      if (st.else !== null && st.else !== '') invalid(`${at}.else`, 'must be empty (null or "")');
    } else {
      const text = st[kind];
      if (typeof text !== 'string' || text.trim() === '') invalid(`${at}.${kind}`, 'must be a condition string');
      condition = parseCondition(text as string, `${at}.${kind}`);
    }
    const raw = st[op];
    const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
    const max = op === 'multiply_by' ? limits.multiply : limits.limit;
    if (!(value >= 0 && value <= max)) invalid(`${at}.${op}`, `must be a number in [0, ${max}]`);
    out.push({ kind, condition, op, value });
  });
  return out;
}

/** Applies statements to a start value: in each if/else_if/else group the first matching clause acts. */
function evaluate(clauses: Clause[], a: EdgeAttributes, start: number): { value: number; limit: number } {
  let value = start, limit = Infinity;
  let groupDone = false;
  for (const c of clauses) {
    if (c.kind === 'if') groupDone = false;
    if (groupDone || !c.condition(a)) continue;
    groupDone = true;
    if (c.op === 'multiply_by') value *= c.value;
    else limit = Math.min(limit, c.value);
  }
  return { value, limit };
}

export interface ValidatedModel {
  priority: Clause[];
  speed: Clause[];
  distanceInfluence: number;
}

/** Validates a custom model (throws InvalidCustomModel naming the field path). */
export function validateCustomModel(model: unknown, path = 'custom_model'): ValidatedModel {
  if (typeof model !== 'object' || model === null || Array.isArray(model)) invalid(path, 'must be an object');
  const m = model as Record<string, unknown>;
  for (const k of Object.keys(m)) {
    if (k === 'areas') invalid(`${path}.areas`, 'areas are not supported');
    if (!['priority', 'speed', 'distance_influence'].includes(k)) invalid(`${path}.${k}`, 'unknown field (priority, speed, distance_influence)');
  }
  const di = m.distance_influence;
  if (di !== undefined && !(typeof di === 'number' && di >= 0 && di <= 10000)) invalid(`${path}.distance_influence`, 'must be a number in [0, 10000] (seconds per km)');
  return {
    priority: m.priority === undefined ? [] : parseStatements(m.priority, `${path}.priority`, { multiply: 100, limit: 100 }),
    speed: m.speed === undefined ? [] : parseStatements(m.speed, `${path}.speed`, { multiply: 10, limit: 1000 }),
    distanceInfluence: (di as number | undefined) ?? 0,
  };
}

function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

/** The same model always gives the same key (field order does not matter). */
export function customModelKey(model: CustomModel): string {
  return createHash('sha256').update(stable(model)).digest('base64url').slice(0, 22);
}

// --- per-edge attributes ------------------------------------------------------------------------

const OUR_CLASS_TO_GH: Record<string, string> = {
  motorway: 'MOTORWAY', trunk: 'TRUNK', primary: 'PRIMARY', secondary: 'SECONDARY', tertiary: 'TERTIARY', unclassified: 'UNCLASSIFIED',
  residential: 'RESIDENTIAL', living_street: 'LIVING_STREET', service: 'SERVICE', track: 'TRACK', path: 'PATH', ferry: 'OTHER', other: 'OTHER',
};
const FLAG_FERRY = 2, FLAG_LINK = 4, FLAG_TOLL = 8;

/** Attributes of every edge of a map (what the map file stores of them). */
export function edgeAttributes(map: MapHandle): (e: number) => EdgeAttributes {
  const classNames = native.roadClassNames();
  const roadClass = native.mapSection(map, 'edge_class', 'u8');
  const flags = native.mapSection(map, 'edge_flags', 'u8');
  const sections = new Set(native.mapHeader(map).sections.map((s) => s.name));
  const names = native.edgeAttributeNames();
  const surfaceNames = names.surface.map((n) => n.toUpperCase());
  const accessNames = names.roadAccess.map((n) => n.toUpperCase());
  const surface = sections.has('edge_surface') ? native.mapSection(map, 'edge_surface', 'u8') : undefined;
  const maxspeed = sections.has('edge_maxspeed') ? native.mapSection(map, 'edge_maxspeed', 'u8') : undefined;
  const access = sections.has('edge_access') ? native.mapSection(map, 'edge_access', 'u8') : undefined;
  return (e) => {
    const ours = classNames[roadClass[e]] ?? 'other';
    const f = flags[e];
    return {
      road_class: OUR_CLASS_TO_GH[ours] ?? 'OTHER',
      road_class_link: (f & FLAG_LINK) !== 0,
      toll: f & FLAG_TOLL ? 'ALL' : 'NO',
      road_environment: f & FLAG_FERRY || ours === 'ferry' ? 'FERRY' : 'ROAD',
      surface: surface ? (surfaceNames[surface[e]] ?? 'OTHER') : 'MISSING',
      road_access: access ? (accessNames[access[e]] ?? 'OTHER') : 'YES',
      // 0: not tagged (GraphHopper's missing value); 255: no limit.
      max_speed: !maxspeed || maxspeed[e] === 0 ? MAX_SPEED_MISSING : maxspeed[e] === 255 ? Infinity : maxspeed[e],
    };
  };
}

/** Per-edge arrays for native.metricOf. */
export function compileCustomModel(map: MapHandle, model: CustomModel): { speedFactor: Float64Array; speedLimit: Float64Array; priority: Float64Array; distanceInfluence: number } {
  const v = validateCustomModel(model);
  const attributesOf = edgeAttributes(map);
  const edges = native.mapHeader(map).counts.edges;
  const speedFactor = new Float64Array(edges), speedLimit = new Float64Array(edges), priority = new Float64Array(edges);
  const memo = new Map<string, [number, number, number]>();
  for (let e = 0; e < edges; e++) {
    const a = attributesOf(e);
    const key = `${a.road_class}|${a.road_class_link}|${a.toll}|${a.road_environment}|${a.surface}|${a.road_access}|${a.max_speed}`;
    let r = memo.get(key);
    if (!r) {
      const s = evaluate(v.speed, a, 1);
      const p = evaluate(v.priority, a, 1);
      r = [s.value, s.limit, Math.min(p.value, p.limit)];
      memo.set(key, r);
    }
    [speedFactor[e], speedLimit[e], priority[e]] = r;
  }
  return { speedFactor, speedLimit, priority, distanceInfluence: v.distanceInfluence };
}
