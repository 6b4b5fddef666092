/**
 * The record types' names, the record id's form and the complaint categories, without their
 * schemas: what lists, filters, paths, credentials and the complaint report need. Importing this builds no zod schema, so a function that only names
 * record types (the auditor's filters, a revision's path) never builds the records' schemas
 * (schemas/record.ts, schemas/records/). schemas/records/index.ts checks that its modules are these
 * types, in this order.
 */

/** Every record type, in the order the API and the docs list them. */
export const RECORD_TYPES = ["expense", "quote", "contract", "complaint", "access"] as const;

export type RecordType = (typeof RECORD_TYPES)[number];

/** A complaint's categories (its data's `category`), which the complaint report counts by. */
export const COMPLAINT_CATEGORIES = ["general", "service", "quality", "legal", "media"] as const;

/** A record's `id` (CONTRACT §1). */
export const RECORD_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
