/**
 * End-to-end helpers: a platform started the way `npm start` starts it (startPlatform), spoken to
 * only over real HTTP (fetch), with requests signed by an HMAC written here from CONTRACT §2 (not
 * the product's own signer), so the tests are an independent client of the contract.
 */
import { createHmac, randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { expect, inject } from "vitest";
import type * as z from "zod";
import { createClients } from "../../functions/local/aws-clients.ts";
import { type LocalPlatform, startPlatform } from "../../functions/local/platform-runtime.ts";
import { deleteTables } from "../../functions/store/create-tables.ts";
import type {
  evaluationSchema,
  policyListSchema,
  storedViolationSchema,
  violationListSchema,
} from "../../schemas/api-responses.ts";
import type { RecordEnvelope } from "../../schemas/record.ts";
import { DynamoDbUnavailableError } from "../support/dynamodb.ts";
import { expectMatchesOpenApi } from "../support/openapi.ts";

export const SECRETS: Readonly<Record<string, string>> = { erp: "e2e-erp-secret", crm: "e2e-crm-secret" };
/** The machine reader's static token (COMPLIANCE_AUDITOR_TOKEN): reads everything, never acts. */
export const AUDITOR_TOKEN = "e2e-auditor-token";
/** The shared case-handler token of CONTRACT 1.0, which 1.1 removed: now just an unknown bearer. */
export const OLD_CASE_HANDLER_TOKEN = "e2e-case-handler-token";

/** Fixed credentials: the platform never falls back to the local development values. */
export const CREDENTIALS_ENV = {
  COMPLIANCE_WEBHOOK_SECRETS: Object.entries(SECRETS)
    .map(([client, secret]) => `${client}=${secret}`)
    .join(","),
  COMPLIANCE_AUDITOR_TOKEN: AUDITOR_TOKEN,
  // set as 1.0 deployments did: it must open nothing
  COMPLIANCE_CASE_HANDLER_TOKEN: OLD_CASE_HANDLER_TOKEN,
} as const;

export type ErrorJson = {
  error: { code: string; message: string; issues?: { path: string; message: string }[] };
};
export type ViolationJson = z.output<typeof storedViolationSchema>;
export type ViolationListJson = z.output<typeof violationListSchema>;
export type EvaluationJson = z.output<typeof evaluationSchema>;
export type PolicyListJson = z.output<typeof policyListSchema>;
export type RecordJson = { record: RecordEnvelope; revisions: number[] };
export type IngestJson = { key: string; revision: number; duplicate: boolean; stale?: true };

/** The run's shared DynamoDB Local (test/support/global-setup.ts). */
export function sharedEndpoint(): string {
  const endpoint = inject("dynamodbEndpoint");
  if (endpoint === null)
    throw new DynamoDbUnavailableError(inject("dynamodbUnavailable") ?? "no DynamoDB endpoint");
  return endpoint;
}

/** `e2e<tag><8 hex>-`: a table prefix no other platform of the run uses. */
export function uniquePrefix(tag: string): string {
  return `e2e${tag}${randomBytes(4).toString("hex")}-`;
}

/** A clock the test moves; the platform judges signatures, deadlines and detectedAt by it. */
export class Clock {
  private ms: number;
  constructor(iso: string) {
    this.ms = Date.parse(iso);
  }
  now = (): Date => new Date(this.ms);
  iso(): string {
    return new Date(this.ms).toISOString();
  }
  advance(ms: number): void {
    this.ms += ms;
  }
  set(iso: string): void {
    this.ms = Date.parse(iso);
  }
}

export interface E2ePlatform {
  readonly platform: LocalPlatform;
  readonly api: Api;
  readonly prefix: string;
  readonly logs: string[];
  /** Stops the platform and deletes its tables from the shared DynamoDB Local. */
  close(): Promise<void>;
}

/**
 * startPlatform on the shared DynamoDB Local under a fresh table prefix, on an ephemeral port,
 * with fixed credentials. `env` adds to (or overrides) that.
 */
export async function startE2ePlatform(
  opts: { tag: string; env?: Record<string, string>; now?: () => Date; prefix?: string } = { tag: "" },
): Promise<E2ePlatform> {
  const endpoint = sharedEndpoint();
  const prefix = opts.prefix ?? uniquePrefix(opts.tag);
  const logs: string[] = [];
  const platform = await startPlatform({
    env: {
      PORT: "0",
      COMPLIANCE_DYNAMODB_ENDPOINT: endpoint,
      COMPLIANCE_TABLE_PREFIX: prefix,
      COMPLIANCE_SWEEP_INTERVAL_S: "3600",
      ...CREDENTIALS_ENV,
      ...opts.env,
    },
    log: (line) => logs.push(line),
    now: opts.now,
  });
  let closed = false;
  return {
    platform,
    api: new Api(platform.url, opts.now ?? (() => new Date())),
    prefix,
    logs,
    close: async () => {
      if (closed) return;
      closed = true;
      await platform.stop();
      const { dynamodb, streams } = createClients(endpoint);
      try {
        await deleteTables(dynamodb, prefix);
      } finally {
        dynamodb.destroy();
        streams.destroy();
      }
    },
  };
}

/** HMAC-SHA256(secret, "<t>.<raw body bytes>") in hex: CONTRACT §2, over the exact bytes sent. */
export function hmac(secret: string, t: number | string, body: string | Uint8Array): string {
  return createHmac("sha256", secret).update(`${t}.`).update(body).digest("hex");
}

/**
 * v2: HMAC-SHA256(secret, "<t>\n<METHOD>\n<path and query exactly as sent>\n<raw body>") in hex
 * (CONTRACT §2), written here from the contract, not the product's signer.
 */
export function hmacV2(
  secret: string,
  t: number | string,
  method: string,
  pathAndQuery: string,
  body: string | Uint8Array,
): string {
  return createHmac("sha256", secret).update(`${t}\n${method}\n${pathAndQuery}\n`).update(body).digest("hex");
}

export function signature(secret: string, t: number, body: string | Uint8Array): string {
  return `t=${t},v1=${hmac(secret, t, body)}`;
}

export interface Answer<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly contentType: string;
  readonly text: string;
  /** The parsed JSON body (undefined when the body is not JSON). */
  readonly body: T;
}

export interface SignOptions {
  /** X-Client-Id; default "erp". */
  readonly client?: string;
  /** Secret used to sign; default the client's. */
  readonly secret?: string;
  /** Signature timestamp (unix seconds); default the platform clock. */
  readonly t?: number;
  /** A literal X-Signature value instead of a computed one. */
  readonly signature?: string;
  /** Sign these bytes instead of the body sent. */
  readonly signedBody?: string | Uint8Array;
  /** Headers replacing (or, with undefined, removing) the computed ones. */
  readonly headers?: Record<string, string | undefined>;
}

const REQUEST_TIMEOUT_MS = 30_000;

export class Api {
  readonly url: string;
  readonly now: () => Date;
  constructor(url: string, now: () => Date) {
    this.url = url;
    this.now = now;
  }

  async request<T = unknown>(
    method: string,
    path: string,
    init: { headers?: Record<string, string>; body?: string | Uint8Array } = {},
  ): Promise<Answer<T>> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: init.headers,
      body: init.body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    const contentType = res.headers.get("content-type") ?? "";
    let body: unknown;
    if (/json/i.test(contentType)) {
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
    }
    return { status: res.status, headers: res.headers, contentType, text, body: body as T };
  }

  /** Headers of a request signed like an ingest client (CONTRACT §2). */
  signedHeaders(body: string | Uint8Array, opts: SignOptions = {}): Record<string, string> {
    const client = opts.client ?? "erp";
    const secret = opts.secret ?? SECRETS[client] ?? "no-such-secret";
    const t = opts.t ?? Math.floor(this.now().getTime() / 1000);
    const headers: Record<string, string | undefined> = {
      "content-type": "application/json",
      "x-client-id": client,
      "x-signature": opts.signature ?? signature(secret, t, opts.signedBody ?? body),
      ...opts.headers,
    };
    return Object.fromEntries(
      Object.entries(headers).filter((e): e is [string, string] => e[1] !== undefined),
    );
  }

  post<T = unknown>(path: string, body: unknown, opts: SignOptions = {}): Promise<Answer<T>> {
    const raw = typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body);
    return this.request<T>("POST", path, { headers: this.signedHeaders(raw, opts), body: raw });
  }

  private readonly tokens = new Map<string, { token: string; expiresAtMs: number }>();

  /**
   * An ID token for a person of the directory from the platform's development issuer
   * (POST /local/sign-in), kept until 10 minutes before it expires by the platform's clock.
   */
  async tokenFor(person: string): Promise<string> {
    const kept = this.tokens.get(person);
    const now = this.now().getTime();
    if (kept && kept.expiresAtMs - 600_000 > now && kept.expiresAtMs - 8 * 3600_000 <= now) return kept.token;
    const answer = await this.request<{ token: string; expiresAt: string }>("POST", "/local/sign-in", {
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ person }),
    });
    if (answer.status !== 200) throw new Error(`sign-in as ${person}: ${answer.status} ${answer.text}`);
    this.tokens.set(person, { token: answer.body.token, expiresAtMs: Date.parse(answer.body.expiresAt) });
    return answer.body.token;
  }

  /** GET as a signed-in person. */
  async getAs<T = unknown>(person: string, path: string, query?: Record<string, string>): Promise<Answer<T>> {
    return this.get<T>(path, { token: await this.tokenFor(person), ...(query ? { query } : {}) });
  }

  /** POST a JSON body as a signed-in person (or with `{ token }`). */
  async postAs<T = unknown>(as: string | { token: string }, path: string, body: unknown): Promise<Answer<T>> {
    const token = typeof as === "string" ? await this.tokenFor(as) : as.token;
    return this.request<T>("POST", path, {
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  }

  /** GET as the machine reader (or with `token`, or with exactly `headers`). */
  get<T = unknown>(
    path: string,
    opts: { token?: string; headers?: Record<string, string>; query?: Record<string, string> } = {},
  ): Promise<Answer<T>> {
    const query = opts.query ? `?${new URLSearchParams(opts.query).toString()}` : "";
    const headers = opts.headers ?? { authorization: `Bearer ${opts.token ?? AUDITOR_TOKEN}` };
    return this.request<T>("GET", `${path}${query}`, { headers });
  }

  record(type: string, id: string): Promise<Answer<RecordJson & ErrorJson>> {
    return this.get(`/v1/records/${encodeURIComponent(type)}/${encodeURIComponent(id)}`);
  }

  /** Every violation a query matches, following nextCursor (bounded). */
  async violations(query: Record<string, string> = {}): Promise<ViolationJson[]> {
    const items: ViolationJson[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 200; pages++) {
      const answer: Answer<ViolationListJson> = expectDocumented(
        await this.get("/v1/violations", { query: { ...query, ...(cursor ? { cursor } : {}) } }),
        "GET",
        "/v1/violations",
      );
      expect(answer.status, answer.text).toBe(200);
      items.push(...answer.body.items);
      cursor = answer.body.nextCursor;
      if (!cursor) return items;
    }
    throw new Error(`more than 200 pages for ${JSON.stringify(query)}`);
  }
}

/**
 * Asserts the answer is what the OpenAPI document says `method template` answers with its status
 * (JSON, or CSV for text/csv), and, for any 4xx/5xx, the contract's error shape without internals.
 */
export function expectDocumented<T>(answer: Answer<T>, method: string, template: string): Answer<T> {
  const mediaType = answer.contentType.split(";")[0]?.trim() ?? "";
  if (answer.status >= 400) expectJsonError(answer);
  expectMatchesOpenApi(
    method,
    template,
    answer.status,
    mediaType === "application/json" ? answer.body : answer.text,
    answer.contentType || "(none)",
  );
  return answer;
}

/** CONTRACT §2: errors are always JSON `{error: {code, message, issues?}}`, never a stack trace. */
export function expectJsonError(answer: Answer<unknown>, code?: string): ErrorJson["error"] {
  expect(answer.contentType, `status ${answer.status}: ${answer.text}`).toMatch(/^application\/json/);
  const body = answer.body as ErrorJson | undefined;
  expect(body, answer.text).toBeTypeOf("object");
  expect(body?.error, answer.text).toBeTypeOf("object");
  expect(body?.error.code, answer.text).toBeTypeOf("string");
  expect(body?.error.code.length).toBeGreaterThan(0);
  expect(body?.error.message, answer.text).toBeTypeOf("string");
  // a stack frame ("    at fn (file.ts:1:2)") or a source path would be internals leaking out
  expect(answer.text).not.toMatch(/\n\s+at\s|\bat\s+\S+\s+\(|\.ts:\d+:\d+|node:internal|node_modules/);
  if (code !== undefined) expect(body?.error.code, answer.text).toBe(code);
  return (body as ErrorJson).error;
}

/** RFC 4180: fields separated by commas, records by CRLF, quoted fields with doubled quotes. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i++;
      } else {
        field += c;
        i++;
      }
    } else if (c === '"' && field === "") {
      quoted = true;
      i++;
    } else if (c === ",") {
      row.push(field);
      field = "";
      i++;
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i += 2;
    } else if (c === "\n" || c === "\r" || c === '"') {
      throw new Error(`not RFC 4180: bare ${JSON.stringify(c)} at offset ${i}`);
    } else {
      field += c;
      i++;
    }
  }
  if (quoted) throw new Error("not RFC 4180: unterminated quoted field");
  if (field !== "" || row.length > 0) throw new Error("not RFC 4180: the last record has no CRLF");
  return rows;
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  { timeoutMs = 30_000, intervalMs = 100 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** ISO 8601 durations of the catalogue (weeks, days, hours, minutes, seconds) in ms. */
export function durationMs(iso: string): number {
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(iso);
  if (!m) throw new Error(`unsupported duration ${iso}`);
  const [w, d, h, min, s] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number];
  return ((((w * 7 + d) * 24 + h) * 60 + min) * 60 + s) * 1000;
}
