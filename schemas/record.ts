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

export const RECORD_TYPES = ["expense", "quote", "contract", "complaint", "access"] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

/**
 * What each transform of these schemas outputs. zod cannot see through a transform, so the
 * answers' JSON Schema (their output form, in the OpenAPI document) reads it from here; a
 * transform reached from an answer and missing here fails generation.
 */
export const transformOutputs = new WeakMap<z.core.$ZodType, z.core.$ZodType>();

/** ISO 8601 timestamp with `Z` or an offset, normalised to UTC. */
const utc = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString());
transformOutputs.set(utc.out, z.iso.datetime({ precision: 3 }));
export const timestamp = utc.meta({ description: "ISO 8601 timestamp with Z or an offset; stored as UTC" });

/** Optional field: absent and `null` mean the same; `null` is dropped while parsing. */
function optional<T extends z.ZodType>(schema: T) {
  const dropNull = schema.nullish().transform((v) => (v === null ? undefined : v));
  // absence is the business of the enclosing .optional()
  transformOutputs.set(dropNull.out, schema);
  return dropNull.optional();
}

const person = z.string().meta({ description: "person id from the org directory (policies/org.yaml)" });
const role = z.string().meta({ description: "role name, e.g. finance, sales-manager, general-manager" });
const decision = z.enum(["approved", "rejected"]);
const money = z.number().refine(Number.isFinite, "must be a finite number");

const expenseApproval = z.strictObject({
  step: z.enum(["department-review", "finance-review", "leadership-approval", "budget-adjustment"]),
  approver: person,
  role,
  decision,
  at: timestamp,
});

const roleApproval = z.strictObject({ role, approver: person, at: timestamp });

export const expenseData = z.strictObject({
  department: z.string(),
  applicant: person,
  category: z.string(),
  amount: z.number().gt(0),
  currency: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as CNY"),
  budget: z.strictObject({ lineId: z.string(), remaining: money }),
  attachments: z.number().int().min(0),
  status: z.enum(["draft", "submitted", "approved", "rejected", "reimbursed"]),
  submittedAt: optional(timestamp),
  approvals: z.array(expenseApproval),
  budgetAdjustment: optional(
    z.strictObject({ amount: money, lineTotal: money, approvals: z.array(roleApproval) }),
  ),
});

export const quoteData = z.strictObject({
  department: z.string(),
  salesperson: person,
  customer: z.strictObject({ id: z.string(), name: z.string() }),
  items: z
    .array(z.strictObject({ sku: z.string(), listPrice: money, unitPrice: money, quantity: money }))
    .min(1),
  status: z.enum(["draft", "reviewed", "sent", "accepted", "rejected"]),
  reviews: z.array(z.strictObject({ role, reviewer: person, decision, at: timestamp })),
  approvals: z.array(roleApproval),
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
  department: z.string(),
  customer: z.strictObject({ id: z.string(), name: z.string(), creditRating: z.enum(["A", "B", "C", "D"]) }),
  amount: money,
  currency: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as CNY"),
  clauses: z.array(z.enum(CLAUSES)),
  paymentTermDays: z.number().min(0),
  legalReview: optional(z.strictObject({ reviewer: person, decision, at: timestamp })),
  signedAt: optional(timestamp),
  archivedAt: optional(timestamp),
  copiesSentTo: z.array(z.strictObject({ department: z.string(), at: timestamp })),
  changes: z.array(
    z.strictObject({
      kind: z.enum(["amendment", "termination"]),
      at: timestamp,
      approvals: z.array(roleApproval),
    }),
  ),
});

export const COMPLAINT_CATEGORIES = ["general", "service", "quality", "legal", "media"] as const;

export const complaintData = z.strictObject({
  department: z.string(),
  customer: z.strictObject({ id: z.string(), name: z.string(), contact: optional(z.string()) }),
  channel: z.enum(["phone", "email", "online", "visit"]),
  category: z.enum(COMPLAINT_CATEGORIES),
  content: z.string(),
  receivedAt: timestamp,
  assignedTo: optional(z.strictObject({ person, role, at: timestamp })),
  firstResponseAt: optional(timestamp),
  resolvedAt: optional(timestamp),
  customerNotifiedAt: optional(timestamp),
  escalations: z.array(z.strictObject({ to: role, at: timestamp })),
});

const RESOURCE_KINDS = ["customer-info", "trade-secret", "market-research", "public"] as const;
const ACCESS_ACTIONS = ["read", "export", "print", "share-external"] as const;

export const accessData = z.strictObject({
  department: z.string(),
  actor: z.strictObject({
    id: person,
    roles: z.array(role),
    confidentialityAgreementSignedAt: optional(timestamp),
  }),
  resource: z.strictObject({
    kind: z.enum(RESOURCE_KINDS),
    id: z.string(),
    recordCount: optional(z.number().int().min(0)),
  }),
  action: z.enum(ACCESS_ACTIONS),
  at: timestamp,
  encrypted: z.boolean(),
  authorization: optional(
    z.strictObject({
      grantedBy: person,
      kinds: z.array(z.enum(RESOURCE_KINDS)),
      actions: z.array(z.enum(ACCESS_ACTIONS)),
      expiresAt: timestamp,
    }),
  ),
  disclosureApproval: optional(z.strictObject({ approver: person, role, at: timestamp })),
  recipient: optional(z.string()),
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
    source: z.string().meta({ description: "the sending system, e.g. erp, crm, ticketing" }),
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
