/**
 * Checks that a data path names a field the record schema defines, so `$.ammount` is a load
 * error instead of a condition that silently never fires.
 */
import type * as z from "zod";
import type { PathSegment } from "./path.ts";

interface Def {
  type: string;
  shape?: Record<string, z.core.$ZodType>;
  element?: z.core.$ZodType;
  innerType?: z.core.$ZodType;
  in?: z.core.$ZodType;
  options?: z.core.$ZodType[];
}

function def(schema: z.core.$ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let s = schema;
  for (;;) {
    const d = def(s);
    if ((d.type === "optional" || d.type === "nullable" || d.type === "default") && d.innerType)
      s = d.innerType;
    else if (d.type === "lazy") s = (s._zod as unknown as { innerType: z.core.$ZodType }).innerType;
    else if (d.type === "pipe" && d.in) s = d.in;
    else return s;
  }
}

/** `undefined` when the path exists, else the first segment that does not. */
export function missingSegment(
  schema: z.core.$ZodType,
  segments: readonly PathSegment[],
): PathSegment | undefined {
  let current: z.core.$ZodType | undefined = schema;
  for (const [i, segment] of segments.entries()) {
    if (!current) return segment;
    const d = def(unwrap(current));
    if (d.type === "object" && typeof segment === "string" && d.shape && Object.hasOwn(d.shape, segment)) {
      current = d.shape[segment];
    } else if (d.type === "array" && typeof segment === "number") {
      current = d.element;
    } else if (
      (d.type === "array" || d.type === "string") &&
      segment === "length" &&
      i === segments.length - 1
    ) {
      return undefined;
    } else {
      return segment;
    }
  }
  return undefined;
}

/** The field names of the object in which a path's missing segment was looked up (for suggestions). */
export function fieldsBeside(schema: z.core.$ZodType, segments: readonly PathSegment[]): string[] {
  let current: z.core.$ZodType | undefined = schema;
  for (const segment of segments) {
    if (!current) return [];
    const d = def(unwrap(current));
    if (d.type === "object" && typeof segment === "string" && d.shape) {
      if (!Object.hasOwn(d.shape, segment)) return Object.keys(d.shape);
      current = d.shape[segment];
    } else if (d.type === "array" && typeof segment === "number") current = d.element;
    else return [];
  }
  return [];
}
