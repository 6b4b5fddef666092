/**
 * Customer complaints (CONTRACT §1): the data schema, the derived facts policies may use on them,
 * and their random generator (tests and bench).
 */
import {
  asList,
  asText,
  completedAt,
  type RecordFact,
  roleList,
} from "../../functions/core/policy/derived-fact.ts";
import { canonicalRole } from "../../functions/core/roles.ts";
import { LIMITS, list, optional, person, role, text, timestamp } from "../record-fields.ts";
import { COMPLAINT_CATEGORIES } from "../record-types.ts";
import * as z from "../zod.ts";
import { ANY_ROLE, BLANK, MIN, type RecordGenerator } from "./random.ts";
import { recordType } from "./record-type.ts";

/** The data of a complaint record (built on first use: schemas/records/record-type.ts). */
export const complaintData = () =>
  z.strictObject({
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

type Complaint = z.output<ReturnType<typeof complaintData>>;

const facts: readonly RecordFact<Complaint>[] = [
  {
    name: "escalatedToAllAt",
    description:
      "When the complaint had been escalated to every role of `roles` (the latest of their earliest escalations); absent until it has.",
    params: z.lazy(() => z.strictObject({ roles: roleList() })),
    paramCodes: { roles: "role" },
    compute({ data }, params) {
      const entries = asList(data.escalations).map((e) => ({ key: canonicalRole(asText(e.to)), at: e.at }));
      return completedAt(entries, (params as { roles: string[] }).roles.map(canonicalRole));
    },
  },
];

/** Customer complaints: their data schema and derived facts. */
export const complaint = recordType("complaint", complaintData, facts);

/** Random complaints: assignment, response, resolution and escalation on time or late. */
export const randomComplaint: RecordGenerator<z.input<ReturnType<typeof complaintData>>> = {
  source: "ticketing",
  share: 25,
  faults: ["content", "contact", "assign", "response", "resolution", "escalation"],
  data(g, { start, past }, f) {
    const category = f.has("escalation")
      ? g.pick(["legal", "media"] as const)
      : g.weighted({ general: 35, service: 30, quality: 20, legal: 8, media: 7 });
    const severe = category === "quality" || category === "legal" || category === "media";
    const responseLimit = severe ? 4 * 60 : 24 * 60; // minutes
    const resolveLimit = (severe ? 3 : 7) * 24 * 60;
    /** When an event happened: on time (10 % exactly at the limit) or late; absent while in the future. */
    const when = (limit: number, late = false) =>
      past(start + (late ? limit + g.int(1, 600) : g.chance(0.1) ? limit : g.int(5, limit)) * MIN);
    const iso = (ms: number | undefined) => (ms === undefined ? undefined : g.iso(ms));
    /** A faulted event is late or never happened at all. */
    const event = (limit: number, fault: boolean) =>
      fault && g.chance(0.3) ? undefined : when(limit, fault);

    const assigned = event(120, f.has("assign"));
    const resolutionFault = f.has("resolution") ? g.pick(["late", "unnotified", "notified-late"]) : undefined;
    const resolved = when(resolveLimit, resolutionFault === "late");
    let notified: number | undefined;
    if (resolved !== undefined && resolutionFault !== "unnotified") {
      notified = past(
        resolutionFault === "notified-late"
          ? start + (resolveLimit + g.int(1, 600)) * MIN
          : Math.max(resolved, Math.min(resolved + g.minutes(0, 180), start + resolveLimit * MIN)),
      );
    }
    const escalations: { to: string; at: string }[] = [];
    if (category === "legal" || category === "media") {
      const management = g.pick(["management", "general-manager"]);
      const faulted = f.has("escalation") ? g.pick(["quality", management]) : undefined;
      for (const to of ["quality", management]) {
        const at = event(24 * 60, to === faulted);
        if (at !== undefined) escalations.push({ to: g.odd(to, "legal"), at: g.iso(at) });
      }
    }
    const contact = f.has("contact") ? g.pick([undefined, "", "  "]) : `138${g.int(10_000_000, 99_999_999)}`;
    return {
      department: "customer-service",
      customer: { id: `C-${g.int(1, 500)}`, name: "客戶", contact },
      channel: g.pick(["phone", "email", "online", "visit"] as const),
      category,
      content: f.has("content") ? g.pick(["", "   "]) : "產品使用問題，要求回覆",
      receivedAt: g.iso(start),
      assignedTo:
        assigned === undefined
          ? undefined
          : {
              person: g.odd("as.sun", ...BLANK),
              role: g.odd("after-sales", ...ANY_ROLE),
              at: g.iso(assigned),
            },
      firstResponseAt: iso(event(responseLimit, f.has("response"))),
      resolvedAt: iso(resolved),
      customerNotifiedAt: iso(notified),
      escalations,
    };
  },
};
