/**
 * What `npm start` prints once it is ready: where everything is (URLs, DynamoDB, tables, files),
 * the policies in force, the local development credentials, and how people sign in.
 */
import { directoryOf } from "../core/directory.ts";
import type { PolicySet } from "../core/policy/model.ts";
import type { Runtime } from "../runtime/runtime.ts";
import type { TableNames } from "../store/tables.ts";
import { CONSOLE_PATH } from "./console-files.ts";
import { LOCAL_FALLBACKS } from "./local-runtime.ts";
import type { LocalNotifier } from "./notifications.ts";

export async function printBanner(args: {
  log: (line: string) => void;
  env: NodeJS.ProcessEnv;
  url: string;
  endpoint: string;
  /** Whether this process started DynamoDB Local (else it uses COMPLIANCE_DYNAMODB_ENDPOINT). */
  localDatabase: boolean;
  dataDir: string | undefined;
  tables: TableNames;
  set: PolicySet;
  eventsFile: string;
  deadLetterFile: string;
  notifications: LocalNotifier;
  anchorWhere: string;
  sweepEvery: number;
  digestEvery: number;
  notices: readonly string[];
  runtime: Runtime;
  signInFromEnv: boolean;
}): Promise<void> {
  const { log, env, url, endpoint, dataDir, tables, set, eventsFile, deadLetterFile } = args;
  log(`compliance platform at ${url}  (API description: ${url}/openapi.json)`);
  log(`web console: ${url}${CONSOLE_PATH}`);
  log(
    `DynamoDB endpoint ${endpoint}${args.localDatabase ? (dataDir ? ` (DynamoDB Local, data in ${dataDir})` : " (DynamoDB Local, in memory)") : ""}`,
  );
  log(`tables: ${Object.values(tables).join(", ")}`);
  log(`policies: ${set.versions.map((v) => `${v.id} v${v.version}`).join(", ")}`);
  log(`events (ViolationOpened/Resolved): ${eventsFile}; dead letters: ${deadLetterFile}`);
  for (const line of args.notifications.banner) log(line);
  log(`audit digests anchored in ${args.anchorWhere}`);
  log(`sweeper every ${args.sweepEvery / 1000} s; audit digest every ${args.digestEvery / 1000} s`);
  for (const notice of args.notices) log(`notice: ${notice}`);
  // the local development values are printed (CONTRACT §5); secrets a user set never are
  const shown = (name: keyof typeof LOCAL_FALLBACKS, value: string) =>
    env[name] === LOCAL_FALLBACKS[name] ? value : `(from ${name})`;
  const clientIds = [...(await args.runtime.credentials.webhookSecrets()).keys()].join(", ");
  log(`ingest clients: ${clientIds}; secret ${shown("COMPLIANCE_WEBHOOK_SECRETS", "local-dev-secret")}`);
  log(
    `machine reader (reads, never acts): Authorization: Bearer ${shown("COMPLIANCE_AUDITOR_TOKEN", LOCAL_FALLBACKS.COMPLIANCE_AUDITOR_TOKEN)}`,
  );
  if (args.signInFromEnv)
    log(
      `people sign in with ${env.COMPLIANCE_OIDC_ISSUER} (COMPLIANCE_OIDC_ISSUER); the development issuer's tokens are not accepted`,
    );
  else {
    const directory = directoryOf(args.runtime.platform.set.org);
    const someone =
      directory.people.find((p) => directory.isAuditor(p.id))?.id ?? directory.people[0]?.id ?? "<person>";
    log(
      `people: this server is its own development OpenID issuer (local only, never deployed): ${url}/.well-known/openid-configuration`,
    );
    log(
      `  sign in as anyone of the directory (GET ${url}/local/people): npx compliance login ${someone} --url ${url}`,
    );
    log(
      `  or: curl -s -X POST ${url}/local/sign-in -H 'content-type: application/json' -d '{"person":"${someone}"}'; then Authorization: Bearer <token>`,
    );
  }
  log("ready");
}
