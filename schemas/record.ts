/**
 * Record schemas: CONTRACT §1, the one definition of what callers may send: an envelope (type,
 * id, revision, time, source) around the data of one record type. Each record type's data schema
 * is its module's (schemas/records/); the union follows from their list. A type's data schema is
 * built when a record of that type is first parsed (`z.lazy`), so importing this builds the small
 * envelopes only. The names alone are schemas/record-types.ts's.
 * JSON Schema (schemas/record.schema.json) and the OpenAPI document are generated from these.
 */
import { text, timestamp } from "./record-fields.ts";
import { COMPLAINT_CATEGORIES, RECORD_ID_PATTERN, RECORD_TYPES, type RecordType } from "./record-types.ts";
import { RECORD_TYPE_MODULES, type RecordTypeModule } from "./records/index.ts";
import * as z from "./zod.ts";

export { LIMITS, timestamp, transformOutputs } from "./record-fields.ts";
export { CLAUSES } from "./records/contract.ts";
export type { RecordType };
export { COMPLAINT_CATEGORIES, RECORD_ID_PATTERN, RECORD_TYPES };

type Modules = typeof RECORD_TYPE_MODULES;
/** Each module's envelope schema, as a tuple (what z.discriminatedUnion takes). */
type EnvelopesOf<T extends readonly RecordTypeModule[]> = {
  -readonly [K in keyof T]: T[K] extends RecordTypeModule<infer N, infer S>
    ? ReturnType<typeof envelope<N, S>>
    : never;
};

/** Each type's data schema, by type (each built when first read). */
export const DATA_SCHEMAS = Object.defineProperties(
  {},
  Object.fromEntries(RECORD_TYPE_MODULES.map((m) => [m.type, { get: () => m.data, enumerable: true }])),
) as { readonly [M in Modules[number] as M["type"]]: M["data"] };

function envelope<T extends string, S extends z.ZodMiniType>(module: RecordTypeModule<T, S>) {
  return z.strictObject({
    type: z.literal(module.type),
    id: z
      .string()
      .check(z.regex(RECORD_ID_PATTERN, "must be 1–128 characters of A–Z, a–z, 0–9, '.', '_', ':' or '-'")),
    revision: z.number().check(z.int()).check(z.gte(1)),
    occurredAt: timestamp,
    source: z.withMeta(text(), { description: "the sending system, e.g. erp, crm, ticketing" }),
    // built when a record of this type is first parsed (or its JSON Schema generated)
    data: z.lazy(() => module.data),
  });
}

export const recordSchema = z.withMeta(
  z.discriminatedUnion(
    "type",
    RECORD_TYPE_MODULES.map((m: RecordTypeModule) => envelope(m)) as unknown as EnvelopesOf<Modules>,
  ),
  {
    id: "Record",
    title: "Record",
    description: "A business record: envelope plus type-specific data",
  },
);

export type RecordEnvelope = z.output<typeof recordSchema>;
export type RecordInput = z.input<typeof recordSchema>;
