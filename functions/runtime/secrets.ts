/**
 * Secrets on AWS come from Secrets Manager, read once per container and cached (a cold start pays
 * one call; warm invocations none). Values are never logged.
 */
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

let client: SecretsManagerClient | undefined;
const cache = new Map<string, Promise<string>>();

export class SecretError extends Error {
  readonly code = "secret_unavailable";
}

export function readSecret(arn: string): Promise<string> {
  let value = cache.get(arn);
  if (!value) {
    client ??= new SecretsManagerClient({});
    value = client.send(new GetSecretValueCommand({ SecretId: arn })).then(
      (out) => {
        if (!out.SecretString) throw new SecretError(`secret ${arn} has no string value`);
        return out.SecretString;
      },
      (cause) => {
        cache.delete(arn); // a failed read is retried on the next request
        throw new SecretError(`cannot read secret ${arn}`, { cause });
      },
    );
    cache.set(arn, value);
  }
  return value;
}

/** The webhook secret: a JSON object {"<clientId>": "<secret>"}. */
export async function webhookSecretsFrom(arn: string): Promise<Map<string, string>> {
  const parsed = JSON.parse(await readSecret(arn)) as unknown;
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new SecretError("the webhook secret must be a JSON object of clientId → secret");
  return new Map(
    Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === "string" && e[1] !== ""),
  );
}
