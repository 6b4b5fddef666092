/**
 * Record schemas: CONTRACT §1, the one definition of what callers may send.
 * JSON Schema (schemas/record.schema.json) and the OpenAPI document are generated from these.
 *
 * Conventions enforced here:
 * - every object is strict: an unknown field is an error, so typos never pass silently;
 * - an optional field may be absent or `null` (same meaning); parsing drops `null` so the rest of
 *   the code only ever sees "absent";
 * - timestamps accept `Z` or an offset and are normalised to UTC (`toISOString()`).
 */
import * as z from "zod";
import { dateTime } from "./time.ts";

export const RECORD_TYPES = ["expense", "quote", "contract", "complaint", "access"] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

/**
 * What each transform of these schemas outputs. zod cannot see through a transform, so the
 * answers' JSON Schema (their output form, in the OpenAPI document) reads it from here; a
 * transform reached from an answer and missing here fails generation.
 */
export const transformOutputs = new WeakMap<z.core.$ZodType, z.core.$ZodType>();

/** ISO 8601 timestamp with `Z` or an offset (seconds optional), normalised to UTC (CONTRACT §8). */
transformOutputs.set(dateTime.out, z.iso.datetime({ precision: 3 }));
export const timestamp = dateTime;

/** Optional field: absent and `null` mean the same; `null` is dropped while parsing. */
function optional<T extends z.ZodType>(schema: T) {
  const dropNull = schema.nullish().transform((v) => (v === null ? undefined : v));
  // absence is the business of the enclosing .optional()
  transformOutputs.set(dropNull.out, schema);
  return dropNull.optional();
}

/**
 * Bounds (CONTRACT §1): everything a record may carry must also fit what we store and derive from
 * it — a DynamoDB item (400 KB, numbers of at most 38 digits between 10^-130 and 10^126, and the
 * SDK's safe-integer range) and a readable message. So money has at most 4 decimal places and a
 * magnitude below 10^15, counts are integers up to 10^9, strings at most 1,000 characters
 * (`content` 10,000) and arrays at most 1,000 items. Anything else is a 400 naming the field.
 */
export const LIMITS = {
  moneyMagnitude: 1e15,
  moneyDecimals: 4,
  count: 1e9,
  text: 1000,
  content: 10_000,
  items: 1000,
} as const;

/** Text of at most `max` characters (UTF-16 code units, as JSON counts them). */
const text = (max: number = LIMITS.text) => z.string().max(max, `must be at most ${max} characters`);
/** A list of at most 1,000 items. */
const list = <T extends z.ZodType>(item: T) =>
  z.array(item).max(LIMITS.items, `must have at most ${LIMITS.items} items`);

/**
 * Decimal places of a number as JSON wrote it: JavaScript prints the shortest form that reads back
 * to the same double, so "12.5" → 1, "0.0001" → 4, "1e-7" → 7 (and a 40-digit integer is beyond
 * the magnitude bound anyway).
 */
function decimalPlaces(n: number): number {
  const [mantissa = "", exponent] = String(Math.abs(n)).split("e");
  const fraction = mantissa.split(".")[1]?.length ?? 0;
  return Math.max(0, fraction - Number(exponent ?? 0));
}

/** Money: finite, at most 4 decimal places, magnitude below 10^15; `min: 0` for prices and amounts. */
const moneyOf = (opts: { min?: number; positive?: boolean } = {}) => {
  let n = z
    .number()
    .refine(Number.isFinite, "must be a finite number")
    .refine((v) => Math.abs(v) < LIMITS.moneyMagnitude, "must be below 10^15 in magnitude")
    .refine(
      (v) => decimalPlaces(v) <= LIMITS.moneyDecimals,
      `must have at most ${LIMITS.moneyDecimals} decimal places`,
    );
  if (opts.positive) n = n.refine((v) => v > 0, "must be greater than 0");
  else if (opts.min !== undefined) n = n.refine((v) => v >= (opts.min as number), "must be ≥ 0");
  return n.meta({
    description: `money: at most ${LIMITS.moneyDecimals} decimal places, magnitude below 10^15${
      opts.positive ? ", > 0" : opts.min !== undefined ? ", ≥ 0" : ""
    }`,
  });
};
/** Counts: integers from `min` to 10^9. */
const count = (min = 0) =>
  z
    .number()
    .int("must be an integer")
    .min(min, `must be at least ${min}`)
    .max(LIMITS.count, "must be at most 10^9")
    .meta({ description: `integer from ${min} to 10^9` });

const person = text().meta({ description: "person id from the org directory (policies/org.yaml)" });
const role = text().meta({ description: "role name, e.g. finance, sales-manager, general-manager" });
const decision = z.enum(["approved", "rejected"]);

const expenseApproval = z.strictObject({
  step: z.enum(["department-review", "finance-review", "leadership-approval", "budget-adjustment"]),
  approver: person,
  role,
  decision,
  at: timestamp,
});

const roleApproval = z.strictObject({ role, approver: person, at: timestamp });

export const expenseData = z.strictObject({
  department: text(),
  applicant: person,
  category: text(),
  amount: moneyOf({ positive: true }),
  currency: text().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as CNY"),
  budget: z.strictObject({ lineId: text(), remaining: moneyOf() }),
  attachments: count(),
  status: z.enum(["draft", "submitted", "approved", "rejected", "reimbursed"]),
  submittedAt: optional(timestamp),
  approvals: list(expenseApproval),
  budgetAdjustment: optional(
    z.strictObject({
      amount: moneyOf({ min: 0 }),
      lineTotal: moneyOf({ min: 0 }),
      approvals: list(roleApproval),
    }),
  ),
});

export const quoteData = z.strictObject({
  department: text(),
  salesperson: person,
  customer: z.strictObject({ id: text(), name: text() }),
  items: z
    .array(
      z.strictObject({
        sku: text(),
        listPrice: moneyOf({ min: 0 }),
        unitPrice: moneyOf({ min: 0 }),
        quantity: count(1),
      }),
    )
    .max(LIMITS.items, `must have at most ${LIMITS.items} items`)
    .min(1),
  status: z.enum(["draft", "reviewed", "sent", "accepted", "rejected"]),
  reviews: list(z.strictObject({ role, reviewer: person, decision, at: timestamp })),
  approvals: list(roleApproval),
  sentAt: optional(timestamp),
});

export const CLAUSES = [
  "rights-obligations",
  "product-spec",
  "quantity",
  "price",
  "delivery-date",
  "payment-terms",
  "default-liability",
  "guarantee",
] as const;

export const contractData = z.strictObject({
  department: text(),
  customer: z.strictObject({ id: text(), name: text(), creditRating: z.enum(["A", "B", "C", "D"]) }),
  amount: moneyOf({ min: 0 }),
  currency: text().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as CNY"),
  clauses: list(z.enum(CLAUSES)),
  paymentTermDays: count(),
  legalReview: optional(z.strictObject({ reviewer: person, decision, at: timestamp })),
  signedAt: optional(timestamp),
  archivedAt: optional(timestamp),
  copiesSentTo: list(z.strictObject({ department: text(), at: timestamp })),
  changes: list(
    z.strictObject({
      kind: z.enum(["amendment", "termination"]),
      at: timestamp,
      approvals: list(roleApproval),
    }),
  ),
});

export const COMPLAINT_CATEGORIES = ["general", "service", "quality", "legal", "media"] as const;

export const complaintData = z.strictObject({
  department: text(),
  customer: z.strictObject({ id: text(), name: text(), contact: optional(text()) }),
  channel: z.enum(["phone", "email", "online", "visit"]),
  category: z.enum(COMPLAINT_CATEGORIES),
  content: text(LIMITS.content),
  receivedAt: timestamp,
  assignedTo: optional(z.strictObject({ person, role, at: timestamp })),
  firstResponseAt: optional(timestamp),
  resolvedAt: optional(timestamp),
  customerNotifiedAt: optional(timestamp),
  escalations: list(z.strictObject({ to: role, at: timestamp })),
});

const RESOURCE_KINDS = ["customer-info", "trade-secret", "market-research", "public"] as const;
const ACCESS_ACTIONS = ["read", "export", "print", "share-external"] as const;

export const accessData = z.strictObject({
  department: text(),
  actor: z.strictObject({
    id: person,
    roles: list(role),
    confidentialityAgreementSignedAt: optional(timestamp),
  }),
  resource: z.strictObject({
    kind: z.enum(RESOURCE_KINDS),
    id: text(),
    recordCount: optional(count()),
  }),
  action: z.enum(ACCESS_ACTIONS),
  at: timestamp,
  encrypted: z.boolean(),
  authorization: optional(
    z.strictObject({
      grantedBy: person,
      kinds: list(z.enum(RESOURCE_KINDS)),
      actions: list(z.enum(ACCESS_ACTIONS)),
      expiresAt: timestamp,
    }),
  ),
  disclosureApproval: optional(z.strictObject({ approver: person, role, at: timestamp })),
  recipient: optional(text()),
});

export const DATA_SCHEMAS = {
  expense: expenseData,
  quote: quoteData,
  contract: contractData,
  complaint: complaintData,
  access: accessData,
} as const satisfies Record<RecordType, z.ZodType>;

export const RECORD_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

function envelope<T extends RecordType>(type: T) {
  return z.strictObject({
    type: z.literal(type),
    id: z
      .string()
      .regex(RECORD_ID_PATTERN, "must be 1–128 characters of A–Z, a–z, 0–9, '.', '_', ':' or '-'"),
    revision: z.number().int().min(1),
    occurredAt: timestamp,
    source: text().meta({ description: "the sending system, e.g. erp, crm, ticketing" }),
    data: DATA_SCHEMAS[type],
  });
}

export const recordSchema = z
  .discriminatedUnion("type", [
    envelope("expense"),
    envelope("quote"),
    envelope("contract"),
    envelope("complaint"),
    envelope("access"),
  ])
  .meta({
    id: "Record",
    title: "Record",
    description: "A business record: envelope plus type-specific data",
  });

export type RecordEnvelope = z.output<typeof recordSchema>;
export type RecordInput = z.input<typeof recordSchema>;
