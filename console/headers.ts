/**
 * The console's security headers, one definition for both hosts: the local server (functions/local/
 * console-files.ts) and CloudFront's response headers policy (infra/constructs/console.ts).
 * Everything the console loads is its own (bundled libraries, system fonts), so the policy allows
 * only 'self' — plus, on AWS, the user pool's sign-in domain for the token exchange.
 */
export function contentSecurityPolicy(connectTo: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${["'self'", ...connectTo].join(" ")}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Headers of every console answer (HSTS is added where the console is served over HTTPS). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "permissions-policy": "camera=(), microphone=(), geolocation=()",
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
};

/** The Content-Type of a console file by its extension, for both hosts (the local server, S3). */
export function contentTypeOf(file: string): string {
  const dot = file.lastIndexOf(".");
  const ext = dot > file.lastIndexOf("/") ? file.slice(dot) : "";
  return (Object.hasOwn(CONTENT_TYPES, ext) ? CONTENT_TYPES[ext] : undefined) ?? "application/octet-stream";
}
