/**
 * Fact paths. Policies address data with simple JSONPath (`$.budget.remaining`, `$.items[0].sku`):
 * the subset whose meaning is unambiguous. The resolver below returns exactly what
 * json-rules-engine's default JSONPath resolver returns for that subset (own properties only,
 * `undefined` for no match), which the differential property test checks.
 */

export type PathSegment = string | number;

const SEGMENT = /\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]/y;

/** Paths come from the policy set: each is parsed once (a refused one again, it is only ever refused). */
const parsedPaths = new Map<string, readonly PathSegment[]>();
const PARSED_PATHS_MAX = 10_000;

/** Segments of a simple JSONPath, or `undefined` when the path uses syntax we do not support. */
export function parsePath(path: string): readonly PathSegment[] | undefined {
  const known = parsedPaths.get(path);
  if (known) return known;
  const parsed = parsePathText(path);
  if (parsed) {
    if (parsedPaths.size >= PARSED_PATHS_MAX) parsedPaths.clear();
    parsedPaths.set(path, Object.freeze(parsed));
  }
  return parsed;
}

function parsePathText(path: string): PathSegment[] | undefined {
  if (!path.startsWith("$")) return undefined;
  const segments: PathSegment[] = [];
  SEGMENT.lastIndex = 1;
  let at = 1;
  while (at < path.length) {
    SEGMENT.lastIndex = at;
    const m = SEGMENT.exec(path);
    if (!m) return undefined;
    segments.push(m[1] !== undefined ? m[1] : Number(m[2]));
    at = SEGMENT.lastIndex;
  }
  return segments;
}

export const PATH_HINT = "must be a simple JSONPath such as $.amount, $.budget.remaining or $.items[0].sku";

/** Reads a path from a value: `undefined` when any step is missing. */
export function resolvePath(value: unknown, segments: readonly PathSegment[]): unknown {
  let current: unknown = value;
  for (const key of segments) {
    if (current === null || current === undefined) return undefined;
    const holder = Object(current) as Record<PathSegment, unknown>;
    if (!Object.hasOwn(holder, key)) return undefined;
    current = holder[key];
  }
  return current;
}

/**
 * What json-rules-engine's almanac does with a path: objects are resolved, any other fact value
 * (a string, a number, `undefined`) is returned unchanged.
 */
export function readFactPath(factValue: unknown, segments: readonly PathSegment[] | undefined): unknown {
  if (!segments) return factValue;
  if (factValue !== null && typeof factValue === "object") return resolvePath(factValue, segments);
  return factValue;
}

/** Dotted name of a path for evidence keys: `$.budget.remaining` → `budget.remaining`. */
export function pathLabel(path: string): string {
  return path.replace(/^\$\.?/, "");
}
