/**
 * What a record type's module defines, and how: its name, the schema of its data and the facts
 * derived from it. The data schema is built on first use, not when the module is imported: a
 * Lambda function imports every record type, but the first request it serves needs at most the
 * type it receives (building all five at import was ~15 ms of every cold start that carries them).
 */
import type { RecordFact } from "../../functions/core/policy/derived-fact.ts";
import type * as z from "../zod.ts";

/** A record type: its name, the schema of its data and the facts derived from it. */
export interface RecordTypeModule<T extends string = string, S extends z.ZodMiniType = z.ZodMiniType> {
  readonly type: T;
  /** Built on first read, then the same schema every time. */
  readonly data: S;
  readonly facts: readonly RecordFact<z.output<S>>[];
}

/** The record type `type`, whose data schema `data` builds when it is first read. */
export function recordType<T extends string, S extends z.ZodMiniType>(
  type: T,
  data: () => S,
  facts: readonly RecordFact<z.output<S>>[],
): RecordTypeModule<T, S> {
  let built: S | undefined;
  return {
    type,
    get data() {
      built ??= data();
      return built;
    },
    facts,
  };
}
