/**
 * Record schemas: CONTRACT §1, the one definition of what callers may send: an envelope (type,
 * id, revision, time, source) around the data of one record type. Each record type's data schema
 * is its module's (schemas/records/); the type list and the union follow from their list.
 * JSON Schema (schemas/record.schema.json) and the OpenAPI document are generated from these.
 */
import * as z from "zod";
import { text, timestamp } from "./record-fields.ts";
import { RECORD_TYPE_MODULES, type RecordType, type RecordTypeModule } from "./records/index.ts";

export { LIMITS, timestamp, transformOutputs } from "./record-fields.ts";
export { COMPLAINT_CATEGORIES } from "./records/complaint.ts";
export { CLAUSES } from "./records/contract.ts";
export type { RecordType };

type Modules = typeof RECORD_TYPE_MODULES;
/** Each module's `type`, as a tuple of literals. */
type TypesOf<T extends readonly RecordTypeModule[]> = { readonly [K in keyof T]: T[K]["type"] };
/** Each module's envelope schema, as a tuple (what z.discriminatedUnion takes). */
type EnvelopesOf<T extends readonly RecordTypeModule[]> = {
  -readonly [K in keyof T]: T[K] extends RecordTypeModule<infer N, infer S>
    ? ReturnType<typeof envelope<N, S>>
    : never;
};

export const RECORD_TYPES = RECORD_TYPE_MODULES.map((m) => m.type) as unknown as TypesOf<Modules>;

export const DATA_SCHEMAS = Object.fromEntries(RECORD_TYPE_MODULES.map((m) => [m.type, m.data])) as {
  readonly [M in Modules[number] as M["type"]]: M["data"];
};

export const RECORD_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

function envelope<T extends string, S extends z.ZodType>(module: RecordTypeModule<T, S>) {
  return z.strictObject({
    type: z.literal(module.type),
    id: z
      .string()
      .regex(RECORD_ID_PATTERN, "must be 1–128 characters of A–Z, a–z, 0–9, '.', '_', ':' or '-'"),
    revision: z.number().int().min(1),
    occurredAt: timestamp,
    source: text().meta({ description: "the sending system, e.g. erp, crm, ticketing" }),
    data: module.data,
  });
}

export const recordSchema = z
  .discriminatedUnion(
    "type",
    RECORD_TYPE_MODULES.map((m: RecordTypeModule) => envelope(m)) as unknown as EnvelopesOf<Modules>,
  )
  .meta({
    id: "Record",
    title: "Record",
    description: "A business record: envelope plus type-specific data",
  });

export type RecordEnvelope = z.output<typeof recordSchema>;
export type RecordInput = z.input<typeof recordSchema>;
