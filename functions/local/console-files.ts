/**
 * `npm start` serves the web console's built files (console/dist) at /console/, beside the API on
 * the same origin (so the console needs no CORS). Paths that are not files are the console's own
 * views (/console/violations?…) and get its index.html; /console/config.json tells the console how
 * people sign in here (the development issuer) and the company's time zone.
 */
import { createReadStream, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { contentSecurityPolicy, contentTypeOf, SECURITY_HEADERS } from "../../console/headers.ts";
import { DomainError, httpOutcome } from "../core/errors.ts";
import { errorBody } from "../http/errors.ts";

export const CONSOLE_PATH = "/console/";
export const CONSOLE_DIST = fileURLToPath(new URL("../../console/dist", import.meta.url));

export interface ConsoleFiles {
  readonly root: string;
  /** served as /console/config.json */
  readonly config: { signIn: "local"; timeZone: string };
}

export function isConsolePath(pathname: string): boolean {
  return pathname === "/console" || pathname.startsWith(CONSOLE_PATH);
}

function headers(type: string, cache: string): Record<string, string> {
  return {
    ...SECURITY_HEADERS,
    "content-security-policy": contentSecurityPolicy(),
    "content-type": type,
    "cache-control": cache,
  };
}

export function serveConsole(files: ConsoleFiles, req: IncomingMessage, res: ServerResponse, url: URL): void {
  if (req.method !== "GET" && req.method !== "HEAD") {
    const { status, headers: extra } = httpOutcome("method_not_allowed");
    res.writeHead(status, {
      allow: "GET, HEAD",
      "content-type": "application/json; charset=utf-8",
      ...extra,
    });
    res.end(
      JSON.stringify(errorBody(new DomainError("method_not_allowed", `${req.method} is not allowed here`))),
    );
    return;
  }
  if (url.pathname === "/console") {
    res.writeHead(308, { location: `${CONSOLE_PATH}${url.search}` });
    res.end();
    return;
  }
  if (url.pathname === `${CONSOLE_PATH}config.json`) {
    res.writeHead(200, headers(contentTypeOf("config.json"), "no-store"));
    res.end(req.method === "HEAD" ? undefined : JSON.stringify(files.config));
    return;
  }
  let relative: string;
  try {
    relative = decodeURIComponent(url.pathname.slice(CONSOLE_PATH.length));
  } catch {
    relative = "";
  }
  // never outside the built folder: ../ and absolute paths are views, not files
  const candidate = normalize(join(files.root, relative));
  const inside = candidate.startsWith(files.root + sep) && !relative.includes("\0");
  const stat = inside ? statSync(candidate, { throwIfNoEntry: false }) : undefined;
  const file = stat?.isFile() ? candidate : join(files.root, "index.html");
  const isIndex = file === join(files.root, "index.html");
  if (!statSync(file, { throwIfNoEntry: false })?.isFile()) {
    res.writeHead(503, { "content-type": "text/plain; charset=utf-8" });
    res.end("The console is not built: run `npm run console:build` (npm start builds it when missing).\n");
    return;
  }
  // hashed asset names change with their content: cache them for good; the index never
  const cache = isIndex ? "no-cache" : "public, max-age=31536000, immutable";
  res.writeHead(200, headers(contentTypeOf(file), cache));
  if (req.method === "HEAD") res.end();
  else createReadStream(file).pipe(res);
}
