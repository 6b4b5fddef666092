/**
 * The record types. Each has one module here: its data schema, the derived facts policies may
 * use on it (typed by its data) and its random generator. Adding a record type is its module and
 * its line in each list below (plus its names in functions/core/code-names.ts); the type list,
 * the record union (schemas/record.ts) and the facts' registry (policy/facts.ts) follow.
 */
import type { RECORD_TYPES, RecordType } from "../record-types.ts";
import type * as z from "../zod.ts";
import { access, randomAccess } from "./access.ts";
import { complaint, randomComplaint } from "./complaint.ts";
import { contract, randomContract } from "./contract.ts";
import { expense, randomExpense } from "./expense.ts";
import { quote, randomQuote } from "./quote.ts";
import type { RecordGenerator } from "./random.ts";
import type { RecordTypeModule } from "./record-type.ts";

export type { RecordTypeModule };

/** Every record type, in the order the API and the docs list them. */
export const RECORD_TYPE_MODULES = [
  expense,
  quote,
  contract,
  complaint,
  access,
] as const satisfies readonly RecordTypeModule[];

export type { RecordType };

/** The modules are the record types of schemas/record-types.ts, in its order (a compile-time check). */
type TypesOf<T extends readonly RecordTypeModule[]> = { readonly [K in keyof T]: T[K]["type"] };
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;
export type ModulesAreTheRecordTypes = Holds<Same<TypesOf<typeof RECORD_TYPE_MODULES>, typeof RECORD_TYPES>>;
type DataSchema<T extends RecordType> = Extract<(typeof RECORD_TYPE_MODULES)[number], { type: T }>["data"];

/**
 * Each type's random generator, for the tests' arbitraries and the bench. No handler reaches this
 * list, so no Lambda bundle carries a generator (test/infra/record-generators.test.ts).
 */
export const RECORD_GENERATORS: { readonly [T in RecordType]: RecordGenerator<z.input<DataSchema<T>>> } = {
  expense: randomExpense,
  quote: randomQuote,
  contract: randomContract,
  complaint: randomComplaint,
  access: randomAccess,
};
