/**
 * Stream records decoded as the consumers see them (pure: no Java): the source table from the event
 * source ARN, violation images checked field by field, revision images validated with zod, and the
 * audit-trail consumer refusing a record of any other table.
 */
import { marshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBRecord } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { auditEntriesOf } from "../../functions/handlers/audit-trail-consumer.ts";
import { revisionFromImage } from "../../functions/store/revision-image.ts";
import {
  revisionStampFromImage,
  type StreamImage,
  StreamImageError,
  sourceTableOf,
  violationFromImage,
} from "../../functions/store/stream-images.ts";
import { storedViolation } from "../support/violations.ts";

const TABLES = { records: "t-records", violations: "t-violations" };
const arnOf = (table: string) =>
  `arn:aws:dynamodb:us-east-1:123456789012:table/${table}/stream/2026-03-01T00:00:00.000`;
const image = (item: object) => marshall(item, { removeUndefinedValues: true }) as unknown as StreamImage;

const VIOLATION = storedViolation({
  id: "0123456789abcdef0123456789abcdef",
  policyId: "approval-limits",
  policyVersion: 2,
  record: { type: "expense", id: "EXP-1", revision: 3 },
  status: "waived",
  message: { zh: "超出預算", en: "over budget" },
  dueAt: "2026-03-05T00:00:00.000Z",
  detectedAt: "2026-03-01T00:00:00.000Z",
  evidence: { amount: 12000, remaining: 8000 },
  source: [{ document: "001", clause: "3.2" }],
  history: [
    { status: "open", at: "2026-03-01T00:00:00.000Z", by: "system", reason: null },
    { status: "waived", at: "2026-03-02T00:00:00.000Z", by: "fin.wang", reason: "budget moved" },
  ],
  historyCount: 2,
  waivedUntil: "2026-04-01T00:00:00.000Z",
  escalationLevel: 0,
  nextActionAt: "2026-04-01T00:00:00.000Z",
  department: "marketing",
  occurredAt: "2026-02-28T00:00:00.000Z",
  ver: 4,
});
/** What ViolationsStore writes besides the violation (index keys and filter lists). */
const INDEX_ATTRIBUTES = {
  statusShard: "waived#3",
  actionShard: "3",
  recordType: "expense",
  recordId: "EXP-1",
  roles: ["finance"],
  people: ["fin.wang"],
};

const REVISION = {
  pk: "expense#EXP-1",
  rev: 1,
  record: {
    type: "expense",
    id: "EXP-1",
    revision: 1,
    occurredAt: "2026-03-01T08:00:00.000Z", // as stored: the validated envelope (UTC, milliseconds)
    source: "erp",
    data: {
      department: "marketing",
      applicant: "a.wu",
      category: "travel",
      amount: 12000,
      currency: "CNY",
      budget: { lineId: "L1", remaining: 8000 },
      attachments: 1,
      status: "submitted",
      approvals: [],
    },
  },
  bodyHash: "ab".repeat(32),
  receivedAt: "2026-03-01T08:00:01.000Z",
  clientId: "erp",
};

describe("sourceTableOf", () => {
  it("reads the table's name from the event source ARN (AWS and DynamoDB Local alike)", () => {
    expect(sourceTableOf({ eventSourceARN: arnOf("compliance-records") })).toBe("compliance-records");
    expect(
      sourceTableOf({
        eventSourceARN:
          "arn:aws:dynamodb:ddblocal:000000000000:table/p-violations/stream/2026-03-01T00:00:00.000",
      }),
    ).toBe("p-violations");
  });

  it("refuses a record without one, or whose ARN names no table", () => {
    expect(() => sourceTableOf({})).toThrow(StreamImageError);
    expect(() => sourceTableOf({ eventSourceARN: "arn:aws:sqs:us-east-1:1:queue" })).toThrow(
      /names no table/,
    );
  });
});

describe("violationFromImage", () => {
  it("gives back the stored violation, without the index attributes", () => {
    expect(violationFromImage(image({ ...VIOLATION, ...INDEX_ATTRIBUTES }))).toEqual(VIOLATION);
  });

  it("accepts an item without the optional fields, and no image at all (an insert's old image)", () => {
    const { historyCount, waivedUntil, escalationLevel, nextActionAt, department, occurredAt, ...required } =
      VIOLATION;
    expect(violationFromImage(image(required))).toEqual(required);
    expect(violationFromImage(undefined)).toBeUndefined();
  });

  it("names every field that does not fit, and what it should be", () => {
    const bad = {
      ...VIOLATION,
      status: "closed",
      ver: "4",
      history: [{ status: "open" }],
      escalationLevel: 1.5,
    };
    const { assignees, ...missing } = bad;
    let error: unknown;
    try {
      violationFromImage(image(missing));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StreamImageError);
    expect((error as StreamImageError).code).toBe("invalid_stream_image");
    const message = (error as Error).message;
    expect(message).toContain(VIOLATION.id);
    expect(message).toContain('status: expected a violation status, got "closed"');
    expect(message).toContain("assignees: expected a list of {role, people}, got nothing");
    expect(message).toContain("history: expected a list of {status, at, by, reason}");
    expect(message).toContain('ver: expected an integer, got "4"');
    expect(message).toContain("escalationLevel: expected an integer, got 1.5");
  });
});

describe("revisionFromImage", () => {
  it("gives back a valid revision", () => {
    expect(revisionFromImage(image(REVISION))).toEqual(REVISION);
  });

  it("names what does not fit, and refuses a missing image", () => {
    expect(() => revisionFromImage(image({ ...REVISION, rev: 0 }))).toThrow(/not a revision.*rev/);
    expect(() => revisionFromImage(undefined)).toThrow(StreamImageError);
  });
});

describe("revisionStampFromImage (what the audit trail keeps of a revision)", () => {
  it("gives back who sent it, when, and its body's hash", () => {
    const { pk, rev, receivedAt, clientId, bodyHash } = REVISION;
    expect(revisionStampFromImage(image(REVISION))).toEqual({ pk, rev, receivedAt, clientId, bodyHash });
  });

  it("names every field that does not fit, and refuses a missing image or a violation's", () => {
    const { bodyHash: _hash, ...noHash } = REVISION;
    expect(() => revisionStampFromImage(image({ ...noHash, rev: 0 }))).toThrow(
      /not a revision.*rev: an integer ≥ 1; bodyHash: a string/,
    );
    expect(() => revisionStampFromImage(undefined)).toThrow(StreamImageError);
    expect(() => revisionStampFromImage(image(VIOLATION))).toThrow(/not a revision/);
  });
});

describe("the audit-trail consumer's reading of stream records", () => {
  const record = (table: string, images: { NewImage?: StreamImage; OldImage?: StreamImage }) =>
    ({ eventName: "MODIFY", eventSourceARN: arnOf(table), dynamodb: images }) as DynamoDBRecord;

  it("a revision of the records table: one entry; a violation's new history: its entries", () => {
    expect(auditEntriesOf(record(TABLES.records, { NewImage: image(REVISION) }), TABLES)).toMatchObject([
      { eventKey: "record:expense#EXP-1@1", content: { kind: "record.revision", rev: 1 } },
    ]);
    const before = { ...VIOLATION, status: "open", history: VIOLATION.history.slice(0, 1), historyCount: 1 };
    const entries = auditEntriesOf(
      record(TABLES.violations, { OldImage: image(before), NewImage: image(VIOLATION) }),
      TABLES,
    );
    expect(entries.map((e) => e.eventKey)).toEqual([`violation:${VIOLATION.id}@2`]);
  });

  it("tells the tables apart by the source, not the shape: a violation image from the records stream fails", () => {
    expect(() => auditEntriesOf(record(TABLES.records, { NewImage: image(VIOLATION) }), TABLES)).toThrow(
      /not a revision of the records table/,
    );
  });

  it("refuses a record of any other table, loudly", () => {
    expect(() => auditEntriesOf(record("t-notifications", { NewImage: image({ id: "x" }) }), TABLES)).toThrow(
      /t-notifications: the audit trail reads only t-records and t-violations/,
    );
  });

  it("puts nothing in the trail for a removal", () => {
    expect(auditEntriesOf({ ...record(TABLES.violations, {}), eventName: "REMOVE" }, TABLES)).toEqual([]);
  });
});
