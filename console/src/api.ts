/**
 * The console's only way to the platform: the public API, same origin (no CORS), with the signed-in
 * person's bearer token. A refusal becomes an ApiError carrying the API's code, message and issues,
 * so views can show it in words.
 */
import type { ApiErrorBody } from "./types.ts";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

let bearer: string | undefined;
let onUnauthorized: () => void = () => {};

export function setBearer(token: string | undefined): void {
  bearer = token;
}

export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

export interface RequestOptions {
  method?: "GET" | "POST";
  body?: unknown;
  /** raw body text (a pasted record is sent exactly as written) */
  rawBody?: string;
  anonymous?: boolean;
  /** a token being tried (sign-in): used instead of the session's, and a 401 does not sign out */
  token?: string;
  signal?: AbortSignal;
  /** what the answer may be (default JSON) */
  accept?: string;
}

async function send(path: string, opts: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { accept: opts.accept ?? "application/json" };
  const token = opts.token ?? bearer;
  if (token && !opts.anonymous) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (opts.rawBody !== undefined) body = opts.rawBody;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined) headers["content-type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(path, { method: opts.method ?? "GET", headers, body, signal: opts.signal });
  } catch (error) {
    if ((error as Error).name === "AbortError") throw error;
    throw new ApiError(0, "network_error", (error as Error).message);
  }
  if (!response.ok) throw await toError(response, opts);
  return response;
}

async function toError(response: Response, opts: RequestOptions): Promise<ApiError> {
  let parsed: ApiErrorBody | undefined;
  try {
    parsed = (await response.json()) as ApiErrorBody;
  } catch {
    // not JSON (e.g. a proxy's page): the status line is all there is
  }
  const e = parsed?.error;
  if (response.status === 401 && !opts.anonymous && opts.token === undefined) onUnauthorized();
  return new ApiError(
    response.status,
    e?.code ?? `http_${response.status}`,
    e?.message ?? response.statusText,
    e?.issues ?? [],
  );
}

export async function getJson<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  return (await (await send(path, opts)).json()) as T;
}

export async function postJson<T>(path: string, body: unknown, opts: RequestOptions = {}): Promise<T> {
  return (await (await send(path, { ...opts, method: "POST", body })).json()) as T;
}

/** A download the API answers (CSV, xlsx): the bytes and the continuation cursor header, if any. */
export async function getFile(path: string): Promise<{ blob: Blob; nextCursor: string | null }> {
  const response = await send(path, { accept: "*/*" });
  return { blob: await response.blob(), nextCursor: response.headers.get("x-next-cursor") };
}
