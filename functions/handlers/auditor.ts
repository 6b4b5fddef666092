/**
 * The read API (CONTRACT §2, §6): GET /v1/violations (JSON or CSV), /v1/violations/{id}, /v1/me
 * for every signed-in person and the machine reader (a person who is not an auditor reads only
 * what is assigned to them; their list is their queue), and the auditor-only /v1/records/…,
 * /v1/policies, /v1/audit/verify, /v1/reports/complaints. One function, routed by route key.
 */

import { complaintReportQuerySchema, violationQuerySchema } from "../../schemas/api.ts";
import { RECORD_TYPES } from "../../schemas/record.ts";
import { authorize, type Caller, type Request } from "../core/authorization.ts";
import { directoryOf } from "../core/directory.ts";
import { publicViolation, type StoredViolation } from "../core/lifecycle.ts";
import { type HttpEvent, type HttpResult, header, json } from "../http/api.ts";
import { HttpError, notFound } from "../http/errors.ts";
import { httpHandler } from "../http/pipeline.ts";
import { parseOr400 } from "../http/validate.ts";
import { complaintReport, ReportRangeError } from "../service/complaint-report.ts";
import { InvalidCursorError } from "../service/cursor.ts";
import { listViolations } from "../service/violation-queries.ts";
import { recordKey } from "../store/keys.ts";
import { auditVerifyRoute } from "./audit-verify.ts";
import { fromEnv, type Runtime, type RuntimeSource } from "./runtime.ts";
import { callerOf, signedInFrom } from "./signed-in.ts";
import { CSV_MAX_ROWS, toCsv } from "./violations-csv.ts";

/** CONTRACT §6 for this caller and request: what it allows (the list's assignee), or the refusal. */
function allowed(caller: Caller, request: Request): { assignee?: string } {
  const decision = authorize(caller, request);
  if (decision.allowed) return decision;
  throw new HttpError(decision.status, decision.code, decision.message, {
    ...(decision.status === 400 ? { issues: [{ path: "assignee", message: decision.message }] } : {}),
  });
}

async function violations(rt: Runtime, event: HttpEvent, caller: Caller): Promise<HttpResult> {
  const {
    cursor,
    format,
    assignee: asked,
    ...filters
  } = parseOr400(violationQuerySchema, event.queryStringParameters ?? {}, "query");
  // a person who is not an auditor lists their own queue (assignee=me) and nobody else's
  const { assignee } = allowed(caller, {
    action: "list",
    ...(asked !== undefined ? { assignee: asked } : {}),
  });
  const query = { ...filters, ...(assignee !== undefined ? { assignee } : {}) };
  const csv =
    format === "csv" || (format === undefined && /\btext\/csv\b/i.test(header(event, "accept") ?? ""));
  try {
    if (!csv) {
      const page = await listViolations(rt.platform, query, await rt.cursorKey(), cursor);
      return json(200, { items: page.items.map(publicViolation), nextCursor: page.nextCursor });
    }
    // CSV: the same query, every page, up to a bound (API Gateway answers at most 6 MB);
    // beyond it the X-Next-Cursor header continues the export.
    const rows: StoredViolation[] = [];
    let next: string | null | undefined = cursor;
    do {
      const page = await listViolations(
        rt.platform,
        { ...query, limit: 500 },
        await rt.cursorKey(),
        next ?? undefined,
      );
      rows.push(...page.items);
      next = page.nextCursor;
    } while (next && rows.length < CSV_MAX_ROWS);
    return {
      statusCode: 200,
      headers: {
        "content-type": "text/csv; charset=utf-8; header=present",
        "content-disposition": 'attachment; filename="violations.csv"',
        ...(next ? { "x-next-cursor": next } : {}),
      },
      body: toCsv(rows),
    };
  } catch (error) {
    if (error instanceof InvalidCursorError)
      throw new HttpError(400, "invalid_cursor", error.message, {
        issues: [{ path: "cursor", message: error.message }],
      });
    throw error;
  }
}

async function violation(rt: Runtime, id: string, caller: Caller): Promise<HttpResult> {
  const found = /^[0-9a-f]{32}$/.test(id) ? await rt.platform.violations.get(id) : undefined;
  if (!found) throw notFound(`violation ${id}`);
  allowed(caller, { action: "read", violation: found });
  return json(200, publicViolation(found));
}

/** GET /v1/me: the signed-in person as the directory knows them. */
function me(rt: Runtime, caller: Caller): HttpResult {
  if (caller.kind !== "person")
    throw new HttpError(403, "not_a_person", "the machine reader is not a person of the directory");
  const directory = directoryOf(rt.platform.set.org);
  const person = directory.byId(caller.id);
  if (!person) throw new HttpError(401, "unauthorized", "the signed-in person left the directory");
  return json(200, directory.view(person));
}

async function record(rt: Runtime, type: string, id: string): Promise<HttpResult> {
  if (!(RECORD_TYPES as readonly string[]).includes(type)) throw notFound(`record ${type}/${id}`);
  const pk = recordKey(type, id);
  const latest = await rt.platform.records.latestRevision(pk);
  if (!latest) throw notFound(`record ${type}/${id}`);
  return json(200, { record: latest.record, revisions: await rt.platform.records.listRevisions(pk) });
}

function policies(rt: Runtime): HttpResult {
  return json(200, {
    items: rt.platform.set.versions.map((v) => ({
      id: v.id,
      version: v.version,
      area: v.area,
      appliesTo: v.appliesTo,
      effectiveFrom: v.effectiveFrom,
      sha256: v.sha256,
    })),
  });
}

async function complaints(rt: Runtime, event: HttpEvent): Promise<HttpResult> {
  const { from, to } = parseOr400(complaintReportQuerySchema, event.queryStringParameters ?? {}, "query");
  try {
    return json(200, await complaintReport(rt.platform, from, to));
  } catch (error) {
    if (error instanceof ReportRangeError)
      throw new HttpError(400, "validation_failed", error.message, {
        issues: [{ path: "from", message: error.message }],
      });
    throw error;
  }
}

export function createAuditorHandler(source: RuntimeSource = fromEnv) {
  return httpHandler(async (event) => {
    const rt = await source();
    const params = event.pathParameters ?? {};
    const caller = callerOf(event);
    switch (event.routeKey) {
      case "GET /v1/violations":
        return violations(rt, event, caller);
      case "GET /v1/violations/{id}":
        return violation(rt, params.id ?? "", caller);
      case "GET /v1/me":
        return me(rt, caller);
    }
    // everything else reads what only auditors (and the machine reader) read
    allowed(caller, { action: "audit" });
    switch (event.routeKey) {
      case "GET /v1/records/{type}/{id}":
        return record(rt, params.type ?? "", params.id ?? "");
      case "GET /v1/policies":
        return policies(rt);
      case "GET /v1/audit/verify":
        return auditVerifyRoute(rt);
      case "GET /v1/reports/complaints":
        return complaints(rt, event);
      default:
        throw notFound(`route ${event.routeKey}`);
    }
  }, signedInFrom(source));
}

export const handler = createAuditorHandler();
