/**
 * The auditors' read API (CONTRACT §2): GET /v1/violations (JSON or CSV), /v1/violations/{id},
 * /v1/records/{type}/{id}, /v1/policies. One function, routed by API Gateway's route key.
 */

import { complaintReportQuerySchemaIn, violationQuerySchemaIn } from "../../schemas/api.ts";
import { RECORD_TYPES } from "../../schemas/record.ts";
import { publicViolation, type StoredViolation } from "../core/lifecycle.ts";
import { companyTimeZone } from "../core/time.ts";
import { type HttpEvent, type HttpResult, header, json } from "../http/api.ts";
import { bearer } from "../http/bearer.ts";
import { HttpError, notFound } from "../http/errors.ts";
import { httpHandler } from "../http/pipeline.ts";
import { parseOr400 } from "../http/validate.ts";
import { complaintReport, ReportRangeError } from "../service/complaint-report.ts";
import { InvalidCursorError } from "../service/cursor.ts";
import { listViolations } from "../service/violation-queries.ts";
import { recordKey } from "../store/keys.ts";
import { auditVerifyRoute } from "./audit-verify.ts";
import { fromEnv, type Runtime, type RuntimeSource } from "./runtime.ts";
import { CSV_MAX_ROWS, toCsv } from "./violations-csv.ts";

async function violations(rt: Runtime, event: HttpEvent): Promise<HttpResult> {
  const { cursor, format, ...query } = parseOr400(
    violationQuerySchemaIn(companyTimeZone(rt.platform.set.org)),
    event.queryStringParameters ?? {},
    "query",
  );
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

async function violation(rt: Runtime, id: string): Promise<HttpResult> {
  const found = /^[0-9a-f]{32}$/.test(id) ? await rt.platform.violations.get(id) : undefined;
  if (!found) throw notFound(`violation ${id}`);
  return json(200, publicViolation(found));
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
  const { from, to } = parseOr400(
    complaintReportQuerySchemaIn(companyTimeZone(rt.platform.set.org)),
    event.queryStringParameters ?? {},
    "query",
  );
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
  return httpHandler(
    async (event) => {
      const rt = await source();
      const params = event.pathParameters ?? {};
      switch (event.routeKey) {
        case "GET /v1/violations":
          return violations(rt, event);
        case "GET /v1/violations/{id}":
          return violation(rt, params.id ?? "");
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
    },
    bearer(async () => (await source()).credentials, "auditor"),
  );
}

export const handler = createAuditorHandler();
