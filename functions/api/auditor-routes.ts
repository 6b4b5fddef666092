/**
 * The read API (CONTRACT §2, §6): violations (JSON pages or CSV), one violation and `/v1/me` for
 * every signed-in person and the machine reader (a person who is not an auditor reads only what is
 * assigned to them, and their list is their queue); a record with its revisions, the loaded
 * policies, the audit trail's verification and the complaint report for auditors only.
 */
import {
  auditEntriesQuerySchema,
  auditEntriesQuerySchemaIn,
  complaintReportQuerySchema,
  complaintReportQuerySchemaIn,
  recordRevisionPathSchema,
  statsQuerySchema,
  statsQuerySchemaIn,
  VIOLATION_RANGES,
  violationPathSchema,
  violationQuerySchema,
  violationQuerySchemaIn,
} from "../../schemas/api.ts";
import { RECORD_ID_PATTERN, RECORD_TYPES } from "../../schemas/record-types.ts";
import * as z from "../../schemas/zod.ts";
import { type Caller, requireAllowed } from "../core/authorization.ts";
import { directoryOf } from "../core/directory.ts";
import { DomainError } from "../core/errors.ts";
import { publicViolation } from "../core/lifecycle.ts";
import { companyTimeZone } from "../core/time.ts";
import { header } from "../http/api.ts";
import { notFound } from "../http/errors.ts";
import { assertOrderedRanges } from "../http/validate.ts";
import { auditWithAnchorOf } from "../runtime/audit-anchor-runtime.ts";
import { auditOf } from "../runtime/audit-runtime.ts";
import { verifyAudit } from "../service/audit.ts";
import { listAuditEntries } from "../service/audit-entries.ts";
import { complaintItemsCsv, complaintReport } from "../service/complaint-report.ts";
import { readStats, type StatsScope } from "../service/stats.ts";
import { assertKnownFilterValues, listViolations } from "../service/violation-queries.ts";
import { CSV_COLUMNS, CSV_MAX_ROWS } from "../service/violations-csv.ts";
import {
  exportViolationsCsv,
  exportViolationsXlsx,
  XLSX_CONTENT_TYPE,
} from "../service/violations-export.ts";
import { recordKey } from "../store/repositories.ts";
import { ok, type Route, route } from "./route.ts";

/** Whose stats a caller reads (CONTRACT §2): a person who is not an auditor, their own violations. */
function statsScopeOf(caller: Caller): StatsScope {
  return caller.kind === "person" && !caller.auditor ? { kind: "person", id: caller.id } : { kind: "all" };
}

const VIOLATION_ID_EXAMPLE = "3f6b0c9e2d4a4b1c8e7f6a5b4c3d2e1f";

/** The caller the sign-in middleware found (it runs before every person route's work). */
function callerOf(event: { caller?: Caller }): Caller {
  if (!event.caller) throw new Error("person route without the sign-in middleware");
  return event.caller;
}

export const AUDITOR_ROUTES: readonly Route[] = [
  route({
    method: "GET",
    path: "/v1/violations",
    fn: "auditor",
    access: "person",
    query: violationQuerySchema,
    zoned: { query: violationQuerySchemaIn },
    doc: {
      operationId: "listViolations",
      summary: "List violations (JSON pages or a CSV export)",
      description: [
        "Violations matching every given filter, oldest first (by `detectedAt`, then `id`). JSON answers are pages of at most `limit` items; pass `nextCursor` back as `cursor` for the next page (`null`: no more).",
        "",
        `With \`format=csv\`, or \`Accept: text/csv\` and no \`format\`, the same query is answered as CSV (RFC 4180, CRLF, a header row, one row per violation) stopping after the page that reaches ${CSV_MAX_ROWS} rows; when more match, the \`X-Next-Cursor\` header carries the cursor that continues the export.`,
        "",
        "Unknown query parameters are refused (400), so a misspelt filter never silently widens the result.",
        "",
        "Who sees what (the contract's §6): auditors and the machine reader list every violation; for any other person a list without `assignee` is their queue (`assignee=me`), and another person's queue is 403 `not_assigned`. `assignee=me` needs a signed-in person (the machine reader: 400).",
      ].join("\n"),
      query: {
        status: "only violations in this status",
        area: "policy area, e.g. approval-limits",
        policyId: "only violations of this policy",
        ruleId: "only violations of this rule",
        recordType: "only violations of records of this type",
        recordId: "only violations of this record (caller's id)",
        assigneeRole: "only violations assigned to this role",
        assignee:
          "only violations assigned to this person (escalations included); `me`: the signed-in person",
        limit: "page size (JSON); ignored by CSV exports, which return every match up to the row cap",
        cursor: "`nextCursor` of the previous page, or `X-Next-Cursor` of the previous CSV answer",
        format: "`csv` for a CSV export (same as `Accept: text/csv`); default JSON",
      },
      responses: ({ ref, json, error }) => ({
        200: {
          ...json("One page of violations (JSON), or the CSV export.", ref("ViolationList")),
          content: {
            "application/json": { schema: ref("ViolationList") },
            "text/csv": {
              schema: {
                type: "string",
                description: `RFC 4180 CSV with the header row \`${CSV_COLUMNS.join(",")}\`; \`assignees\` as \`role:person|person;…\`, \`evidence\` as JSON.`,
              },
              example: `${CSV_COLUMNS.join(",")}\r\n`,
            },
          },
          headers: {
            "X-Next-Cursor": {
              description: `CSV only, when more rows match than one answer holds (about ${CSV_MAX_ROWS}): send it as \`cursor\` with the same query to continue the export.`,
              schema: { type: "string" },
            },
            "Content-Disposition": {
              description: 'CSV only: `attachment; filename="violations.csv"`.',
              schema: { type: "string" },
            },
          },
        },
        400: error(
          "`validation_failed` (an unknown or invalid filter) or `invalid_cursor` (a cursor that was altered, or belongs to another query).",
          {
            code: "invalid_cursor",
            message: "the cursor is invalid",
          },
        ),
      }),
    },
    serve: async ({ query: { cursor, format, overdue, assignee: asked, ...filters }, event, runtime }) => {
      // a person who is not an auditor lists their own queue (assignee=me) and nobody else's
      const { assignee } = requireAllowed(callerOf(event), {
        action: "list",
        ...(asked !== undefined ? { assignee: asked } : {}),
      });
      assertOrderedRanges(filters, VIOLATION_RANGES);
      const rt = await runtime();
      assertKnownFilterValues(rt.platform, filters);
      const query = {
        ...filters,
        ...(assignee !== undefined ? { assignee } : {}),
        ...(overdue === "true" ? { overdue: true } : {}),
      };
      const key = await rt.cursorKey();
      const csv =
        format === "csv" || (format === undefined && /\btext\/csv\b/i.test(header(event, "accept") ?? ""));
      if (format === "xlsx") {
        const { bytes, nextCursor } = await exportViolationsXlsx(rt.platform, query, key, cursor);
        return {
          status: 200,
          bytes,
          headers: {
            "content-type": XLSX_CONTENT_TYPE,
            "content-disposition": 'attachment; filename="violations.xlsx"',
            ...(nextCursor ? { "x-next-cursor": nextCursor } : {}),
          },
        };
      }
      if (!csv) {
        const page = await listViolations(rt.platform, query, key, cursor);
        return ok({ items: page.items.map(publicViolation), nextCursor: page.nextCursor });
      }
      const { text, nextCursor } = await exportViolationsCsv(rt.platform, query, key, cursor);
      return {
        status: 200,
        text,
        headers: {
          "content-type": "text/csv; charset=utf-8; header=present",
          "content-disposition": 'attachment; filename="violations.csv"',
          ...(nextCursor ? { "x-next-cursor": nextCursor } : {}),
        },
      };
    },
  }),
  route({
    method: "GET",
    path: "/v1/violations/{id}",
    fn: "auditor",
    access: "person",
    params: violationPathSchema,
    notFound: ({ id }) => `violation ${id}`,
    doc: {
      operationId: "getViolation",
      summary: "One violation with its history",
      description:
        "The violation and every status change it went through (`history`: `status`, `at`, `by`, `reason`). Auditors and the machine reader read any violation; another person only one assigned to them (else 403 `not_assigned`).",
      params: {
        id: {
          description:
            "violation id: 32 lowercase hex digits derived from record type, record id, policyId and ruleId",
          example: VIOLATION_ID_EXAMPLE,
        },
      },
      responses: ({ ref, json, error }) => ({
        200: json("The violation.", ref("StoredViolation")),
        404: error("`not_found`: no violation has this id.", {
          code: "not_found",
          message: "violation 3f6b… not found",
        }),
      }),
    },
    serve: async ({ params: { id }, event, runtime }) => {
      const found = await (await runtime()).platform.violations.get(id);
      if (!found) throw notFound(`violation ${id}`);
      requireAllowed(callerOf(event), { action: "read", violation: found });
      return ok(publicViolation(found));
    },
  }),
  route({
    method: "GET",
    path: "/v1/me",
    fn: "auditor",
    access: "person",
    doc: {
      operationId: "getMe",
      summary: "Who is signed in",
      description:
        "The signed-in person as the directory (`policies/org.yaml`) knows them, with every role they hold. The machine reader is nobody: 403 `not_a_person`.",
      responses: ({ ref, json, error }) => ({
        200: json("The signed-in person.", ref("PersonView")),
        403: error(
          "`not_a_person`: the machine reader asked; `forbidden`: an ingest signature instead of a bearer.",
        ),
      }),
    },
    serve: async ({ event, runtime }) => {
      const caller = callerOf(event);
      if (caller.kind !== "person")
        throw new DomainError("not_a_person", "the machine reader is not a person of the directory");
      const directory = directoryOf((await runtime()).platform.set.org);
      const person = directory.byId(caller.id);
      if (!person) throw new DomainError("unauthorized", "the signed-in person left the directory");
      return ok(directory.view(person));
    },
  }),
  route({
    method: "GET",
    path: "/v1/records/{type}/{id}",
    fn: "auditor",
    access: "auditor",
    params: z.object({ type: z.enum(RECORD_TYPES), id: z.string().check(z.regex(RECORD_ID_PATTERN)) }),
    notFound: ({ type, id }) => `record ${type}/${id}`,
    doc: {
      operationId: "getRecord",
      summary: "The latest stored revision of a record",
      description:
        "The latest stored envelope (normalised: timestamps in UTC, `null` optional fields dropped) and every stored revision number.",
      params: {
        type: { description: "record type (another value: 404)", example: "expense" },
        id: { description: "the caller's record id", example: "EXP-2026-0001" },
      },
      responses: ({ ref, json, error }) => ({
        200: json("The record and its revisions.", ref("RecordWithRevisions")),
        404: error("`not_found`: no record of this type and id is stored."),
      }),
    },
    serve: async ({ params: { type, id }, runtime }) => {
      const { records } = (await runtime()).platform;
      const pk = recordKey(type, id);
      const found = await records.recordWithRevisions(pk);
      if (!found) throw notFound(`record ${type}/${id}`);
      return ok({ record: found.latest.record, revisions: found.revisions });
    },
  }),
  route({
    method: "GET",
    path: "/v1/records/{type}/{id}/revisions/{n}",
    fn: "auditor",
    access: "auditor",
    params: recordRevisionPathSchema,
    notFound: ({ type, id, n }) => `revision ${n} of record ${type}/${id}`,
    doc: {
      operationId: "getRecordRevision",
      summary: "One stored revision of a record",
      description:
        "That revision's envelope as stored (normalised: timestamps in UTC), when the platform received it and which ingest client sent it.",
      params: {
        type: { description: "record type (another value: 404)", example: "expense" },
        id: { description: "the caller's record id", example: "EXP-2026-0001" },
        n: { description: "revision number (1, 2, …)", example: "1" },
      },
      responses: ({ ref, json, error }) => ({
        200: json("The revision.", ref("RecordRevision")),
        404: error("`not_found`: no such record, or no such revision of it.", {
          code: "not_found",
          message: "revision 9 of record expense/EXP-2026-0001 not found",
        }),
      }),
    },
    serve: async ({ params: { type, id, n }, runtime }) => {
      const found = await (await runtime()).platform.records.getRevision(recordKey(type, id), Number(n));
      if (!found) throw notFound(`revision ${n} of record ${type}/${id}`);
      return ok({ record: found.record, receivedAt: found.receivedAt, clientId: found.clientId });
    },
  }),
  route({
    method: "GET",
    path: "/v1/audit/verify",
    fn: "auditor",
    access: "auditor",
    doc: {
      operationId: "verifyAuditTrail",
      summary: "Verify the tamper-evident audit trail",
      description:
        "Re-reads every hash-chained audit entry and every signed digest and checks them. `ok: true` when the trail is intact; otherwise `firstBad` names the first modified, missing (deleted), inserted or reordered entry (lowest chain, then sequence). Both answers are 200: the check itself succeeded.",
      responses: ({ ref, json }) => ({ 200: json("The verification result.", ref("AuditVerification")) }),
    },
    serve: async ({ runtime }) => ok(await verifyAudit(await auditWithAnchorOf(await runtime()))),
  }),
  route({
    method: "GET",
    path: "/v1/audit/entries",
    fn: "auditor",
    access: "auditor",
    query: auditEntriesQuerySchema,
    zoned: { query: auditEntriesQuerySchemaIn },
    doc: {
      operationId: "listAuditEntries",
      summary: "The audit trail itself, oldest first",
      description:
        "Every audit entry (stored revisions, violation status changes, case actions, escalations) as `{at, kind, subject, actor, chain, seq, …}`: each chain in the order it was appended, the chains merged by `at`. Follow `nextCursor` (signed with the query) for a complete export, even while entries arrive.",
      responses: ({ ref, json, error }) => ({
        200: json("One page of audit entries.", ref("AuditEntryList")),
        400: error(
          "`validation_failed` (an unknown or invalid parameter, `from` after `to`) or `invalid_cursor`.",
        ),
      }),
    },
    serve: async ({ query: { cursor, ...query }, runtime }) => {
      assertOrderedRanges(query);
      const rt = await runtime();
      return ok(await listAuditEntries(auditOf(rt).store, query, await rt.cursorKey(), cursor));
    },
  }),
  route({
    method: "GET",
    path: "/v1/stats",
    fn: "auditor",
    access: "person",
    query: statsQuerySchema,
    zoned: { query: statsQuerySchemaIn },
    doc: {
      operationId: "getStats",
      summary: "Counts at a glance: open violations, overdue, per week, time to resolve",
      description:
        "Open violations by area, severity and assigned role; how many are overdue; violations opened and resolved per ISO week (company time zone) from `from` to `to` (default: the 12 weeks up to now); mean hours to resolve per policy. Served from counters maintained as violations change (never a scan); `overdue` is counted from the index of open and acknowledged violations. Auditors and the machine reader get the company's counts; any other signed-in person the counts of the violations assigned to them.",
      responses: ({ ref, json, error }) => ({
        200: json("The counts.", ref("Stats")),
        400: error(
          "`validation_failed`: an unknown parameter, a bad time, `from` after `to`, or more than 520 weeks.",
        ),
      }),
    },
    serve: async ({ query, event, runtime }) => {
      assertOrderedRanges(query);
      const { platform } = await runtime();
      const scope = statsScopeOf(callerOf(event));
      return ok(await readStats(platform, companyTimeZone(platform.set.org), scope, query));
    },
  }),
  route({
    method: "GET",
    path: "/v1/reports/complaints",
    fn: "auditor",
    access: "auditor",
    query: complaintReportQuerySchema,
    zoned: { query: complaintReportQuerySchemaIn },
    doc: {
      operationId: "complaintReport",
      summary: "Complaints received in a period, by category, with the satisfaction deduction",
      description:
        "Counts the complaints received in [from, to] (each once, as its latest revision describes it) by category, and the satisfaction deduction in percentage points: 0.2 per full 10 ordinary complaints (general, service, quality) plus 50 per legal or media complaint (seed 003, 4.1.3), in exact decimal arithmetic.",
      responses: ({ ref, json, error }) => ({
        200: {
          ...json(
            "The report (JSON), or with `format=csv` the counted complaints as CSV.",
            ref("ComplaintReport"),
          ),
          content: {
            "application/json": { schema: ref("ComplaintReport") },
            "text/csv": {
              schema: {
                type: "string",
                description:
                  "RFC 4180 CSV with the header row `type,id,category,receivedAt`, one row per counted complaint.",
              },
              example: "type,id,category,receivedAt\r\n",
            },
          },
        },
        400: error("`validation_failed`: `from` or `to` missing or not a timestamp, or `from` after `to`."),
      }),
    },
    serve: async ({ query: { from, to, format }, runtime }) => {
      const report = await complaintReport((await runtime()).platform, from, to);
      if (format !== "csv") return ok(report);
      return {
        status: 200,
        text: complaintItemsCsv(report.items),
        headers: {
          "content-type": "text/csv; charset=utf-8; header=present",
          "content-disposition": 'attachment; filename="complaints.csv"',
        },
      };
    },
  }),
];
