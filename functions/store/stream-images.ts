/**
 * Stream records of the tables, decoded: which table a record comes from (its event source, never
 * its shape) and what a violations-table image holds. An image comes from outside this process,
 * so it is checked, never cast: a StreamImageError names what does not fit, and the record fails
 * (retried, then dead-lettered). Checked by hand, without zod, so the events function's bundle
 * stays without it; the evaluator validates whole revisions with zod (revision-image.ts), the
 * audit trail's consumer only what it keeps of them (revisionStampFromImage).
 */
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBRecord, AttributeValue as StreamAttributeValue } from "aws-lambda";
import type { ViolationStatus } from "../core/engine/violation.ts";
import { DomainError } from "../core/errors.ts";
import type { StoredViolation } from "../core/lifecycle.ts";
import type { StoredRevision } from "./repositories.ts";
import { fromItem } from "./violations.ts";

/** An image as a stream record carries it (attribute values, as Lambda delivers them). */
export type StreamImage = Readonly<Record<string, StreamAttributeValue>>;

export class StreamImageError extends DomainError<"invalid_stream_image"> {
  constructor(message: string) {
    super("invalid_stream_image", message);
  }
}

/** An image as a plain item (numbers as numbers, maps as objects). */
export function itemOfImage(image: StreamImage): Record<string, unknown> {
  return unmarshall(image as Record<string, AttributeValue>);
}

/**
 * The name of the table a stream record comes from, read from its event source ARN
 * (`arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>`), as Lambda and the local
 * stream poller deliver it.
 */
export function sourceTableOf(record: DynamoDBRecord): string {
  const name = /:table\/([^/]+)\/stream\//.exec(record.eventSourceARN ?? "")?.[1];
  if (name === undefined)
    throw new StreamImageError(
      `a stream record whose eventSourceARN (${record.eventSourceARN ?? "absent"}) names no table`,
    );
  return name;
}

type Item = Readonly<Record<string, unknown>>;
const isString = (v: unknown): v is string => typeof v === "string";
const isInteger = (v: unknown): v is number => Number.isInteger(v);
const isObject = (v: unknown): v is Item => typeof v === "object" && v !== null && !Array.isArray(v);
/**
 * The statuses, spelled out rather than imported: core/engine/violation.ts would bring the fact
 * catalogue and zod into the events bundle. Typed, so a status added there is an error here.
 */
const STATUSES: Readonly<Record<ViolationStatus, true>> = {
  open: true,
  acknowledged: true,
  waived: true,
  resolved: true,
};
const isStatus = (v: unknown) => typeof v === "string" && Object.hasOwn(STATUSES, v);
const listOf = (v: unknown, each: (e: unknown) => boolean) => Array.isArray(v) && v.every(each);
const isStringOrNull = (v: unknown) => v === null || isString(v);

/** Each field of a stored violation (core/lifecycle.ts StoredViolation), what it must be, and how to tell. */
const REQUIRED: readonly [string, string, (v: unknown) => boolean][] = [
  ["id", "a string", isString],
  ["policyId", "a string", isString],
  ["policyVersion", "an integer", isInteger],
  ["ruleId", "a string", isString],
  ["area", "a string", isString],
  ["severity", "a string", isString],
  [
    "record",
    "{type, id, revision}",
    (v) => isObject(v) && isString(v.type) && isString(v.id) && isInteger(v.revision),
  ],
  ["status", "a violation status", isStatus],
  ["message", "{zh, en}", (v) => isObject(v) && isString(v.zh) && isString(v.en)],
  [
    "assignees",
    "a list of {role, people}",
    (v) => listOf(v, (a) => isObject(a) && isString(a.role) && listOf(a.people, isString)),
  ],
  ["dueAt", "a string", isString],
  ["detectedAt", "a string", isString],
  ["resolvedAt", "a string or null", isStringOrNull],
  ["evidence", "an object", isObject],
  [
    "source",
    "a list of {document, clause}",
    (v) => listOf(v, (s) => isObject(s) && isString(s.document) && isString(s.clause)),
  ],
  [
    "history",
    "a list of {status, at, by, reason}",
    (v) =>
      listOf(
        v,
        (h) =>
          isObject(h) &&
          isStatus(h.status) &&
          isString(h.at) &&
          isString(h.by) &&
          (h.reason === undefined || isStringOrNull(h.reason)),
      ),
  ],
  ["updatedAt", "a string", isString],
  ["ver", "an integer", isInteger],
];
/** Fields written only by some versions of the lifecycle, or only in some states: checked when present. */
const OPTIONAL: readonly [string, string, (v: unknown) => boolean][] = [
  ["historyCount", "an integer", isInteger],
  ["waivedUntil", "a string or null", isStringOrNull],
  ["escalationLevel", "an integer", isInteger],
  ["nextActionAt", "a string or null", isStringOrNull],
  ["department", "a string or null", isStringOrNull],
  ["occurredAt", "a string", isString],
];

/** A value as an error message shows it: JSON, cut short. */
function shown(value: unknown): string {
  const json = JSON.stringify(value) ?? "nothing";
  return json.length > 60 ? `${json.slice(0, 60)}…` : json;
}

/** The violation a violations-table stream image holds (undefined without an image: an INSERT's old one). */
export function violationFromImage(image: StreamImage | undefined): StoredViolation | undefined {
  if (image === undefined) return undefined;
  const item = itemOfImage(image);
  const problems = [
    ...REQUIRED.filter(([name, , ok]) => !ok(item[name])),
    ...OPTIONAL.filter(([name, , ok]) => item[name] !== undefined && !ok(item[name])),
  ].map(([name, what]) => `${name}: expected ${what}, got ${shown(item[name])}`);
  if (problems.length > 0)
    throw new StreamImageError(
      `not a violation of the violations table (id ${JSON.stringify(item.id)}): ${problems.join("; ")}`,
    );
  return fromItem(item);
}

/** What the audit trail keeps of a stored revision: who sent it when, and its body's hash (not the record). */
export type RevisionStamp = Pick<StoredRevision, "pk" | "rev" | "receivedAt" | "clientId" | "bodyHash">;

/**
 * The audit trail's part of a records-table image, checked field by field (the record itself is
 * validated by the evaluator, revision-image.ts: the audit trail's consumer needs no zod for it).
 */
export function revisionStampFromImage(image: StreamImage | undefined): RevisionStamp {
  if (image === undefined) throw new StreamImageError("a records stream record without its new image");
  const item = itemOfImage(image);
  const wrong = [
    isString(item.pk) ? undefined : "pk: a string",
    isInteger(item.rev) && item.rev >= 1 ? undefined : "rev: an integer ≥ 1",
    isString(item.receivedAt) ? undefined : "receivedAt: a string",
    isString(item.clientId) ? undefined : "clientId: a string",
    isString(item.bodyHash) ? undefined : "bodyHash: a string",
    isObject(item.record) ? undefined : "record: an object",
  ].filter((w) => w !== undefined);
  if (wrong.length > 0)
    throw new StreamImageError(`not a revision of the records table: expected ${wrong.join("; ")}`);
  return {
    pk: item.pk as string,
    rev: item.rev as number,
    receivedAt: item.receivedAt as string,
    clientId: item.clientId as string,
    bodyHash: item.bodyHash as string,
  };
}
