/**
 * Accesses to information (CONTRACT §1): the data schema, the derived facts policies may use on
 * them, and their random generator (tests and bench).
 */
import { asList, asText, isPresent, type RecordFact } from "../../functions/core/policy/derived-fact.ts";
import { sameRole } from "../../functions/core/roles.ts";
import { toMillis } from "../../functions/core/time.ts";
import { count, list, optional, person, role, text, timestamp } from "../record-fields.ts";
import * as z from "../zod.ts";
import { ANY_ROLE, BLANK, DEPARTMENTS, HOUR, type RecordGenerator, STAFF } from "./random.ts";
import { recordType } from "./record-type.ts";

const RESOURCE_KINDS = ["customer-info", "trade-secret", "market-research", "public"] as const;
const ACCESS_ACTIONS = ["read", "export", "print", "share-external"] as const;

/** The data of an access record (built on first use: schemas/records/record-type.ts). */
export const accessData = () =>
  z.strictObject({
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

type Access = z.output<ReturnType<typeof accessData>>;

const facts: readonly RecordFact<Access>[] = [
  {
    name: "authorizationCoversAccess",
    description:
      "True when `authorization` includes the resource kind and the action, and expires strictly after the access time.",
    compute({ data }) {
      const auth = data.authorization;
      if (!auth) return false;
      const at = toMillis(data.at);
      const expires = toMillis(auth.expiresAt);
      return (
        asList(auth.kinds).includes(data.resource?.kind) &&
        asList(auth.actions).includes(data.action) &&
        at !== undefined &&
        expires !== undefined &&
        expires > at
      );
    },
  },
  {
    name: "companyDisclosureApprovalAt",
    description:
      "Time of `disclosureApproval` when it is a company approval (role general-manager or management); absent otherwise.",
    compute({ data }) {
      const approval = data.disclosureApproval;
      if (!approval || !sameRole(asText(approval.role), "management")) return undefined;
      return isPresent(approval.at) ? approval.at : undefined;
    },
  },
];

/** Accesses to information: their data schema and derived facts. */
export const access = recordType("access", accessData, facts);

type AccessInput = z.input<ReturnType<typeof accessData>>;

/** Random accesses: authorization, agreement, encryption and company approval where needed, faults breaking them. */
export const randomAccess: RecordGenerator<AccessInput> = {
  source: "iam",
  share: 10,
  faults: ["auth", "agreement", "encryption", "external", "bulk"],
  data(g, { start }, f) {
    const needsConfidential = ["auth", "agreement", "encryption", "external"].some((k) => f.has(k));
    let kind = g.weighted({ public: 30, "customer-info": 35, "trade-secret": 15, "market-research": 20 });
    if (needsConfidential && kind === "public") kind = "trade-secret";
    let action = g.weighted({ read: 55, export: 20, print: 15, "share-external": 10 });
    if (f.has("external")) action = "share-external";
    if (f.has("bulk")) [kind, action] = ["customer-info", "export"];
    const confidential = kind !== "public";
    const at = start;
    const bulk = action === "export" && kind === "customer-info";
    const recordCount = bulk ? (f.has("bulk") ? g.int(101, 5_000) : g.int(1, 300)) : undefined;

    // company approval wherever one is needed (external sharing, bulk export), at or before the access
    let approval: AccessInput["disclosureApproval"];
    if ((confidential && action === "share-external") || (recordCount ?? 0) > 100)
      approval = {
        approver: "gm.chen",
        role: g.odd(g.pick(["general-manager", "management"]), ...ANY_ROLE),
        at: g.iso(at - g.minutes(0, 7200)),
      };
    if (f.has("bulk")) approval = undefined;
    if (f.has("external"))
      approval = g.pick([
        undefined,
        { approver: "md.li", role: "marketing-director", at: g.iso(at - HOUR) }, // not a company approval
        { approver: "gm.chen", role: "management", at: g.iso(at + g.minutes(1, 600)) }, // after the fact
      ]);

    let authorization: AccessInput["authorization"];
    if (confidential || g.chance(0.3)) {
      const expires = at + (g.chance(0.05) ? g.minutes(1, 60) : g.minutes(60, 180 * 24 * 60));
      const kinds = g.chance(0.3) ? [kind, "public" as const] : [kind];
      const actions = g.chance(0.5) ? [action, "read" as const] : [action];
      authorization = {
        grantedBy: g.odd("dh.lin", ...BLANK),
        kinds: g.odd(kinds, [], [...RESOURCE_KINDS]),
        actions: g.odd(actions, [], [...ACCESS_ACTIONS]),
        expiresAt: g.iso(expires),
      };
      if (f.has("auth")) {
        const expiredAt = at - (g.chance(0.5) ? 0 : g.minutes(1, 600)); // expiry is strict: at == expiry fails
        authorization = g.pick([
          undefined,
          { ...authorization, kinds: ["public"] },
          { ...authorization, actions: [action === "read" ? "print" : "read"] },
          { ...authorization, expiresAt: g.iso(expiredAt) },
        ]);
      }
    }
    const agreement = f.has("agreement")
      ? g.chance(0.5)
        ? undefined
        : at + g.minutes(1, 30 * 24 * 60) // signed only after the access
      : at - (g.chance(0.05) ? 0 : g.minutes(60, 400 * 24 * 60));
    return {
      department: g.pick(DEPARTMENTS),
      actor: {
        id: g.odd(g.pick(STAFF), ...BLANK),
        roles: g.odd([g.pick(["salesperson", "analyst", "marketing"])], [], ANY_ROLE.slice(0, 2)),
        confidentialityAgreementSignedAt: agreement === undefined ? undefined : g.iso(agreement),
      },
      // a bulk export is one of more than 100 records
      resource: { kind, id: `RES-${g.int(1, 9999)}`, recordCount: g.odd(recordCount, 0, 99, 100, 101) },
      action,
      at: g.iso(at),
      encrypted: f.has("encryption") ? false : confidential || g.chance(0.7),
      authorization,
      disclosureApproval: approval,
      recipient: g.odd(
        action === "share-external" ? g.pick(["partner-a", "agency-b", "auditor-c"]) : undefined,
        "",
      ),
    };
  },
};
