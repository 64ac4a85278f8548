/** JSON Schema pieces shared by the route plugins (they also generate the OpenAPI document). */
import type {} from '@fastify/swagger'; // adds summary/tags/description to route schemas
export const lonLatSchema = {
  type: 'array',
  description: '[longitude, latitude] in degrees (WGS84)',
  items: [
    { type: 'number', minimum: -180, maximum: 180 },
    { type: 'number', minimum: -90, maximum: 90 },
  ],
  minItems: 2,
  maxItems: 2,
  additionalItems: false,
} as const;

export function coordinateListSchema(min: number, max: number, description: string) {
  return { type: 'array', items: lonLatSchema, minItems: min, maxItems: max, description } as const;
}

export const profileSchema = { type: 'string', description: 'routing profile (car; driving is an alias)', default: 'car' } as const;

export const waypointSchema = {
  type: 'object',
  properties: {
    location: { type: 'array', items: { type: 'number' } },
    distance: { type: 'number', description: 'metres from the requested coordinate to the road' },
    name: { type: 'string' },
  },
} as const;

/** A snapping radius: metres, or "unlimited" (the default, as OSRM). */
export function radiusSchema(max: number) {
  return {
    anyOf: [{ type: 'number', exclusiveMinimum: 0, maximum: max }, { type: 'string', enum: ['unlimited'] }],
    description: 'snapping radius in metres, or "unlimited" (default: unlimited, the nearest road within the map\'s area)',
  } as const;
}

/** The radius as the core takes it: "unlimited" or absent is Infinity. */
export function radiusValue(r: number | 'unlimited' | undefined): number {
  return r === undefined || r === 'unlimited' ? Infinity : r;
}
