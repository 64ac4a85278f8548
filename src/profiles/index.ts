import { bike } from './bike.js';
import { car } from './car.js';
import { foot } from './foot.js';
import { WaymarkError } from '../errors.js';
import type { ProfileTable } from './types.js';

export type { ProfileTable } from './types.js';

/** Every profile Waymark knows, by name. */
export const profiles: Record<string, ProfileTable> = { car, bike, foot };

/** OSRM clients ask for `driving`; it is our `car`. */
const aliases: Record<string, string> = { driving: 'car' };

export function resolveProfileName(name: string): string {
  return aliases[name] ?? name;
}

export function getProfile(name: string): ProfileTable {
  const profile = profiles[resolveProfileName(name)];
  if (!profile) {
    throw new WaymarkError('InvalidValue', `unknown profile '${name}' (known: ${Object.keys(profiles).join(', ')})`);
  }
  return profile;
}
