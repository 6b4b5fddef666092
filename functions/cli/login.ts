/**
 * `compliance login <person> [--url <base>] [--json]`: an ID token from a running `npm start`
 * (its development issuer, POST /local/sign-in), for scripts:
 *
 *   TOKEN=$(npx compliance login fin.wang)
 *   curl -H "Authorization: Bearer $TOKEN" localhost:3000/v1/violations
 *
 * The token alone goes to stdout (with --json the whole answer: token, expiresAt, person); who it
 * names and until when goes to stderr. Exit 1 when the platform is unreachable or refuses.
 */
export interface LoginIo {
  out(line: string): void;
  err(line: string): void;
}

interface SignInAnswer {
  token: string;
  expiresAt: string;
  person: { id: string; name: { zh: string; en: string }; roles: string[] };
}

/** `--url`, else COMPLIANCE_URL, else the local runtime's default address (PORT or 3000). */
export function platformUrl(url: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return (url ?? env.COMPLIANCE_URL ?? `http://127.0.0.1:${env.PORT || 3000}`).replace(/\/+$/, "");
}

export async function loginCommand(
  person: string,
  opts: { url?: string; json: boolean },
  io: LoginIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const base = platformUrl(opts.url, env);
  let res: Response;
  try {
    res = await fetch(`${base}/local/sign-in`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ person }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    io.err(
      `compliance login: no platform answers at ${base} (${(error as Error).message}): start it with npm start, or pass --url`,
    );
    return 1;
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (res.status === 404) {
    io.err(
      `compliance login: ${base} has no development issuer (POST /local/sign-in): it is not a local npm start`,
    );
    return 1;
  }
  if (res.status !== 200) {
    const message = (body as { error?: { message?: string } } | undefined)?.error?.message ?? text;
    io.err(`compliance login: ${message}`);
    return 1;
  }
  const answer = body as SignInAnswer;
  if (opts.json) io.out(JSON.stringify(answer, null, 2));
  else io.out(answer.token);
  const roles = answer.person.roles.length ? answer.person.roles.join(", ") : "no role";
  io.err(`signed in as ${answer.person.id} (${answer.person.name.en}; ${roles}) until ${answer.expiresAt}`);
  return 0;
}
