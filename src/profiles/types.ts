/**
 * A routing profile is data. The native importer evaluates these tables; it has no profile logic of
 * its own, so adding a profile means adding a table here.
 */
export interface ProfileTable {
  /** Profile name stored in the map header (car, bike, foot). */
  name: string;
  /** highway=* value -> km/h. A highway class missing here is not routable. */
  highwaySpeeds: Record<string, number>;
  /** service=* value -> km/h cap; 0 excludes the way. */
  serviceSpeeds?: Record<string, number>;
  /** surface=* value -> km/h cap. */
  surfaceSpeeds?: Record<string, number>;
  /** Access value -> km/h cap (bicycle=dismount walks the bike). */
  accessValueSpeeds?: Record<string, number>;
  /** Access tags from least to most specific; the most specific tag present decides. */
  accessTags: string[];
  accessDenied: string[];
  accessAllowed: string[];
  /** Speed of ways outside highwaySpeeds that an explicit access tag opens (0 = never). */
  accessAllowedSpeed?: number;
  /** false: ignore oneway tags entirely (pedestrians). */
  oneway: boolean;
  /** Oneway tags, most specific first. */
  onewayTags: string[];
  /** [key, value prefix] pairs that allow travel against a oneway (contraflow). */
  onewayExemptions?: [string, string][];
  impliedOnewayHighways: string[];
  impliedOnewayJunctions: string[];
  useMaxspeed: boolean;
  /** Fraction of the legal limit actually driven. */
  maxspeedFactor: number;
  /** Speed for maxspeed=none. */
  maxspeedNone: number;
  /** Zone and country-style limits: "urban", "DE:rural", "GB:nsl_single", "walk", ... */
  maxspeedZones: Record<string, number>;
  ferries: boolean;
  ferrySpeed: number;
  /** barrier=* values that do not block; every other barrier blocks unless access tags allow. */
  barrierPassable: string[];
  /** Restriction keys, most specific first. */
  restrictionTags: string[];
  /** Names this profile answers to in a restriction's except=*. */
  vehicleTypes: string[];
  /** [key, value] pairs that remove a way. */
  excludedTags: [string, string][];
  uTurnPenaltyS: number;
  trafficSignalPenaltyS: number;
  /** [key, value, seconds]: delay passing a node tagged key=value ('*' = any value); summed when several match. */
  nodePenalties?: [string, string, number][];
  /**
   * oneway=reversible and oneway=alternating (the direction changes over time), always treated
   * alike: 'closed' (the default) routes through them in neither direction; 'open' in both, at
   * timeVaryingOnewayPenaltyS per traversal.
   */
  timeVaryingOneway?: 'closed' | 'open';
  timeVaryingOnewayPenaltyS?: number;
}
