/**
 * `npm start`. The HTTP platform on DynamoDB Local is issue 4; until it lands this validates the
 * policies, says plainly what is not there yet, and exits non-zero so nobody mistakes it for running.
 */
import { formatDiagnostic } from "../core/diagnostics.ts";
import { loadPolicies } from "../core/policy/loader.ts";
import { policiesDir, readPolicyFiles } from "./policy-files.ts";

const result = loadPolicies(readPolicyFiles(policiesDir()));
if (!result.ok) {
  for (const d of result.diagnostics) console.error(formatDiagnostic(d));
  process.exit(1);
}
console.log(`policies: ${result.set.versions.length} versions loaded from ${policiesDir()}`);
console.error("The local HTTP platform (issue 4) is not built yet: use `npx compliance` for now.");
process.exit(1);
