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
  };
  unassigned: VroomUnassigned[];
  routes: VroomRoute[];
}
