/** CONTRACT §8: times as people write them; dates in the company's time zone. */
import { describe, expect, it } from "vitest";
import { dayBounds, isTimeZone, parseDateTime, parseTimeInput, toIso } from "../../functions/core/time.ts";
import {
  caseActionSchemaIn,
  complaintReportQuerySchemaIn,
  evaluateQuerySchemaIn,
  violationQuerySchemaIn,
} from "../../schemas/api.ts";
import { orgSchema } from "../../schemas/policy.ts";
import { recordSchema } from "../../schemas/record.ts";
import { dateTime, instant, lowerBound, until, upperBound } from "../../schemas/time.ts";

const iso = (r: ReturnType<typeof parseDateTime>) => (r.ok ? toIso(r.ms) : r.message);

describe("date-times (records and everywhere)", () => {
  it.each([
    ["2026-03-01T08:00Z", "2026-03-01T08:00:00.000Z"],
    ["2026-03-01T08:00:00Z", "2026-03-01T08:00:00.000Z"],
    ["2026-03-01T16:00+08:00", "2026-03-01T08:00:00.000Z"],
    ["2026-03-01T16:00:30.5+08:00", "2026-03-01T08:00:30.500Z"],
    ["2026-03-01T03:00:00.123456-05:00", "2026-03-01T08:00:00.123Z"],
    ["2026-03-01t08:00z", "2026-03-01T08:00:00.000Z"],
  ])("%s is %s", (text, expected) => {
    expect(iso(parseDateTime(text))).toBe(expected);
    expect(dateTime.parse(text)).toBe(expected);
  });

  it.each([
    "2026-03-01T08:00",
    "2026-03-01T08:00:00",
    "2026-03-01 08:00:00",
    "2026-03-01",
    "2026-02-30T08:00Z",
    "2026-03-01T24:00Z",
    "March 1, 2026",
    "2026-03-01T08:00+0800",
  ])("%s is refused with the accepted form and an example", (text) => {
    const parsed = dateTime.safeParse(text);
    expect(parsed.success).toBe(false);
    const message = parsed.error?.issues[0]?.message ?? "";
    expect(message).toContain("expected an ISO 8601 date-time with a zone, e.g. 2026-03-01T08:00:00Z");
    expect(message).toContain("2026-03-01T16:00+08:00");
  });

  it("says a zone-less date-time has no zone", () => {
    expect(iso(parseDateTime("2026-03-02T11:00:01"))).toMatch(/has no zone/);
  });

  it("records take minutes-only and offset times, stored as UTC", () => {
    const record = recordSchema.parse({
      type: "complaint",
      id: "C-1",
      revision: 1,
      occurredAt: "2026-03-01T08:00Z",
      source: "crm",
      data: {
        department: "customer-service",
        customer: { id: "c", name: "C", contact: "x" },
        channel: "phone",
        category: "general",
        content: "c",
        receivedAt: "2026-03-01T16:00+08:00",
        escalations: [],
      },
    });
    expect(record.occurredAt).toBe("2026-03-01T08:00:00.000Z");
    expect((record.data as { receivedAt: string }).receivedAt).toBe("2026-03-01T08:00:00.000Z");
  });

  it("records refuse a date alone or a zone-less time, naming the field", () => {
    const parsed = recordSchema.safeParse({
      type: "expense",
      id: "E",
      revision: 1,
      occurredAt: "2026-03-01",
      source: "erp",
      data: {},
    });
    expect(parsed.success).toBe(false);
    const issue = parsed.error?.issues.find((i) => i.path.join(".") === "occurredAt");
    expect(issue?.message).toContain("e.g. 2026-03-01T08:00:00Z");
  });
});

describe("dates in the company's time zone", () => {
  it("a day in Asia/Shanghai runs from 16:00Z the day before to 15:59:59.999Z", () => {
    const b = dayBounds("2026-03-01", "Asia/Shanghai");
    expect(b && toIso(b.start)).toBe("2026-02-28T16:00:00.000Z");
    expect(b && toIso(b.end)).toBe("2026-03-01T15:59:59.999Z");
  });

  it("follows daylight saving (Europe/Berlin's 23-hour day)", () => {
    const b = dayBounds("2026-03-29", "Europe/Berlin");
    expect(b && toIso(b.start)).toBe("2026-03-28T23:00:00.000Z");
    expect(b && toIso(b.end)).toBe("2026-03-29T21:59:59.999Z");
  });

  it("lower bounds and ?at= take 00:00, upper bounds and until 23:59:59.999", () => {
    expect(lowerBound("Asia/Shanghai").parse("2026-01-01")).toBe("2025-12-31T16:00:00.000Z");
    expect(instant("Asia/Shanghai").parse("2026-01-01")).toBe("2025-12-31T16:00:00.000Z");
    expect(upperBound("Asia/Shanghai").parse("2026-03-31")).toBe("2026-03-31T15:59:59.999Z");
    expect(until("UTC").parse("2026-03-31")).toBe("2026-03-31T23:59:59.999Z");
    expect(upperBound("UTC").parse("2026-03-31T08:00+08:00")).toBe("2026-03-31T00:00:00.000Z");
  });

  it("refuses a zone-less date-time and an impossible date, with an example", () => {
    for (const text of ["2026-03-02T11:00:01", "2026-02-30", "yesterday"]) {
      const r = parseTimeInput(text, "Asia/Shanghai", "start");
      expect(r.ok).toBe(false);
      expect(r.ok ? "" : r.message).toContain("e.g. 2026-03-01, 2026-03-01T08:00:00Z");
    }
  });

  it("the query and case-action schemas take dates in the zone they are given", () => {
    const q = violationQuerySchemaIn("Asia/Shanghai").parse({ from: "2026-01-01", to: "2026-03-31" });
    expect([q.from, q.to]).toEqual(["2025-12-31T16:00:00.000Z", "2026-03-31T15:59:59.999Z"]);
    const r = complaintReportQuerySchemaIn("UTC").parse({ from: "2026-01-01", to: "2026-03-31" });
    expect([r.from, r.to]).toEqual(["2026-01-01T00:00:00.000Z", "2026-03-31T23:59:59.999Z"]);
    expect(evaluateQuerySchemaIn("Asia/Shanghai").parse({ at: "2026-03-02" }).at).toBe(
      "2026-03-01T16:00:00.000Z",
    );
    expect(
      caseActionSchemaIn("Asia/Shanghai").parse({ by: "a", reason: "r", until: "2026-06-30" }).until,
    ).toBe("2026-06-30T15:59:59.999Z");
    const bad = violationQuerySchemaIn("UTC").safeParse({ from: "2026-01-01T00:00" });
    expect(bad.error?.issues[0]?.message).toContain("has no zone");
  });
});

describe("org.yaml timeZone", () => {
  it("accepts IANA names and refuses anything else", () => {
    expect(isTimeZone("Asia/Shanghai")).toBe(true);
    expect(isTimeZone("UTC")).toBe(true);
    expect(isTimeZone("+08:00")).toBe(false);
    expect(isTimeZone("Mars/Olympus")).toBe(false);
    expect(orgSchema.safeParse({ timeZone: "Asia/Shanghai", roles: {}, people: [] }).success).toBe(true);
    const bad = orgSchema.safeParse({ timeZone: "China", roles: {}, people: [] });
    expect(bad.error?.issues[0]?.message).toContain("IANA time zone");
  });
});
