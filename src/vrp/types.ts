/** VROOM's input and output formats (the subset Waymark reads and writes). */
export type LonLat = [number, number];
export type Window = [number, number];

export interface VroomJob {
  id: number;
  location?: LonLat;
  location_index?: number;
  setup?: number;
  service?: number;
  delivery?: number[];
  pickup?: number[];
  amount?: number[];
  skills?: number[];
  priority?: number;
  time_windows?: Window[];
  description?: string;
}

export interface VroomShipmentStep {
  id: number;
  location?: LonLat;
  location_index?: number;
  setup?: number;
  service?: number;
  time_windows?: Window[];
  description?: string;
}

export interface VroomShipment {
  pickup: VroomShipmentStep;
  delivery: VroomShipmentStep;
  amount?: number[];
  skills?: number[];
  priority?: number;
}

export interface VroomBreak {
  id: number;
  time_windows?: Window[];
  service?: number;
  description?: string;
}

export interface VroomVehicle {
  id: number;
  profile?: string;
  start?: LonLat;
  start_index?: number;
  end?: LonLat;
  end_index?: number;
  capacity?: number[];
  costs?: { fixed?: number; per_hour?: number; per_km?: number };
  skills?: number[];
  time_window?: Window;
  breaks?: VroomBreak[];
  max_tasks?: number;
  max_travel_time?: number;
  max_distance?: number;
  speed_factor?: number;
  description?: string;
}

export interface VroomProblem {
  jobs?: VroomJob[];
  shipments?: VroomShipment[];
  vehicles: VroomVehicle[];
  matrices?: Record<string, { durations?: number[][]; distances?: number[][]; costs?: number[][] }>;
}

export type StepType = 'start' | 'job' | 'pickup' | 'delivery' | 'break' | 'end';

/** VROOM's violation causes (plan mode; always empty when solving). */
export type ViolationCause = 'delay' | 'lead_time' | 'load' | 'max_tasks' | 'skills' | 'precedence' | 'missing_break' | 'max_travel_time' | 'max_load' | 'max_distance';

export interface Violation {
  cause: ViolationCause;
  /** Lateness (delay) or earliness (lead_time), seconds. */
  duration?: number;
}

export interface VroomStep {
  type: StepType;
  id?: number;
  description?: string;
  location?: LonLat;
  location_index?: number;
  setup: number;
  service: number;
  waiting_time: number;
  load: number[];
  arrival: number;
  duration: number;
  distance: number;
  /** Waymark extension (problems with coordinates): where `location` snapped onto the road. */
  snapped_location?: LonLat;
  /** Waymark extension: metres from `location` to `snapped_location`. */
  snap_distance?: number;
  violations: Violation[];
}

export interface VroomRoute {
  vehicle: number;
  description?: string;
  cost: number;
  delivery: number[];
  pickup: number[];
  setup: number;
  service: number;
  duration: number;
  waiting_time: number;
  priority: number;
  distance: number;
  steps: VroomStep[];
  violations: Violation[];
  geometry?: string;
}

export interface VroomUnassigned {
  id: number;
  type: 'job' | 'pickup' | 'delivery';
  location?: LonLat;
  location_index?: number;
  description?: string;
  /** Why it could not be served (VROOM does not say; Waymark does). */
  reason: string;
  /** The reason as a machine-readable code (see UNASSIGNED_CODES). */
  code: UnassignedCode;
  /** NoSegment / NoRoute: the problem's field that could not be placed (`jobs[3].location`). */
  path?: string;
}

/** Why a task is unassigned, as a code. */
export type UnassignedCode = 'NoSegment' | 'NoRoute' | 'Skills' | 'Capacity' | 'Constraints' | 'NoFeasiblePlace' | 'NotPlanned';

/**
 * Why the search stopped: `converged` (no new best over a number of iterations that grows with the
 * size), `exhaustive` (a single vehicle with at most 8 tasks: every sequence was tried, the plan is
 * optimal), `time_limit`, `iterations` (the iteration cap) or `cancelled`.
 */
/** `plan`: plan mode, no search ran. */
export type SearchStopReason = 'converged' | 'exhaustive' | 'time_limit' | 'iterations' | 'cancelled' | 'plan';

/**
 * Waymark extension of the summary: the search's iterations (all threads), stop reason, time limit
 * (s) and when the first complete plan (construction) was ready (ms after the solver started).
 */
export interface SearchSummary {
  iterations: number;
  stop_reason: SearchStopReason;
  time_limit: number;
  first_solution: number;
  /** Vehicles with fixed costs: how many further fleet minimisations ran (all threads); absent when none. */
  fleet_restarts?: number;
}

/** Waymark extension of the summary (problems with coordinates): how far locations lay from the road. */
export interface SnappingSummary {
  /** Metres, or "unlimited" (the default). */
  radius: number | 'unlimited';
  /** Metres: snaps farther than this are counted in over_threshold. */
  threshold: number;
  /** Distinct locations that snapped farther than the threshold. */
  over_threshold: number;
  /** The largest snap distance (m). */
  max_distance: number;
  /** Distinct locations that could not be placed on the road network at all. */
  unplaced: number;
}

export interface VroomSolution {
  code: number;
  summary: {
    cost: number;
    routes: number;
    unassigned: number;
    delivery: number[];
    pickup: number[];
    setup: number;
    service: number;
    duration: number;
    waiting_time: number;
    priority: number;
    distance: number;
    computing_times: { loading: number; solving: number; routing: number };
    /** Waymark extension: how the search went and why it stopped. */
    search: SearchSummary;
    violations: Violation[];
    snapping?: SnappingSummary;
  };
  unassigned: VroomUnassigned[];
  routes: VroomRoute[];
}
