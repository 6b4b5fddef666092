/**
 * Secrets on AWS come from Secrets Manager through Powertools Parameters (`getSecret`), cached per
 * container: a cold start pays one call, warm invocations none, and a failed read is not cached
 * (the next request tries again). Values are never logged.
 */
import { getSecret } from "@aws-lambda-powertools/parameters/secrets";
import { DomainError } from "../core/errors.ts";

/** Kept for the container's life, as before Powertools: a rotated secret reaches new containers. */
const MAX_AGE_S = 7 * 24 * 3600;

export class SecretError extends DomainError<"secret_unavailable"> {
  constructor(message: string, options?: { cause?: unknown }) {
    super("secret_unavailable", message, options);
  }
}

export async function readSecret(arn: string): Promise<string> {
  let value: unknown;
  try {
    value = await getSecret(arn, { maxAge: MAX_AGE_S });
  } catch (cause) {
    throw new SecretError(`cannot read secret ${arn}`, { cause });
  }
  if (typeof value !== "string" || value === "") throw new SecretError(`secret ${arn} has no string value`);
  return value;
}

/**
 * A secret the environment names: `<name>_ARN` (Secrets Manager, on AWS) or `<name>` itself (the
 * local runtime and tests); undefined when neither is set.
 */
export async function secretFromEnv(env: NodeJS.ProcessEnv, name: string): Promise<string | undefined> {
  const arn = env[`${name}_ARN`];
  return arn ? readSecret(arn) : env[name] || undefined;
}

/** The last webhook secret read and what it parsed to: every signed request asks for it. */
let parsedSecrets: { readonly raw: string; readonly secrets: Map<string, string> } | undefined;

/**
 * The webhook secret: a JSON object {"<clientId>": "<secret>"}. Parsed once per value: the read
 * itself is cached (and refreshed) by Powertools, and a rotated value is parsed again.
 */
export async function webhookSecretsFrom(arn: string): Promise<Map<string, string>> {
  const raw = await readSecret(arn);
  if (parsedSecrets?.raw === raw) return parsedSecrets.secrets;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (cause) {
    throw new SecretError("the webhook secret must be a JSON object of clientId → secret", { cause });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new SecretError("the webhook secret must be a JSON object of clientId → secret");
  const secrets = new Map(
    Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === "string" && e[1] !== ""),
  );
  parsedSecrets = { raw, secrets };
  return secrets;
}
