/** JSON Schema pieces shared by the H3 zone endpoints (/zones/matrix, /zones/eta). */
import type { ZoneArea } from '../../zones/zones.js';
import { ApiError } from '../errors.js';

/** Most cells one zone request may cover (road-less ones included). */
export const maxZoneCells = 20_000;

export const zoneAreaProperties = {
  resolution: { type: 'integer', minimum: 0, maximum: 15, description: 'H3 resolution of the zones' },
  cells: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: maxZoneCells, description: 'H3 cells at that resolution' },
  bbox: {
    type: 'array',
    items: { type: 'number' },
    minItems: 4,
    maxItems: 4,
    description: '[west, south, east, north]: the cells whose centres lie inside',
  },
  polygon: { type: 'object', description: 'GeoJSON Polygon or MultiPolygon (or a Feature of one): the cells whose centres lie inside' },
  statistic: { enum: ['median', 'p90', 'min'], default: 'median', description: 'over the sample pairs of two cells (nearest rank)' },
  samples: { type: 'integer', minimum: 1, maximum: 49, default: 7, description: 'representative road points per cell' },
} as const;

/** Exactly one of cells, bbox or polygon. */
export function zoneAreaOf(body: ZoneArea): ZoneArea {
  const given = (['cells', 'bbox', 'polygon'] as const).filter((k) => body[k] !== undefined);
  if (given.length !== 1) throw new ApiError(400, 'InvalidValue', `give exactly one of cells, bbox or polygon (got ${given.length ? given.join(', ') : 'none'})`);
  return { resolution: body.resolution, ...(body.cells ? { cells: body.cells } : {}), ...(body.bbox ? { bbox: body.bbox } : {}), ...(body.polygon ? { polygon: body.polygon } : {}) };
}
