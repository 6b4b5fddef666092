/**
 * `compliance policy impact --base <git-ref> [--since <date>] [--at <time>] [--latest]
 * [--records <file.jsonl>] [dir]`: replays the latest revision of every stored record against the
 * base policy set (from git) and the proposed one (the folder) and prints Markdown for a PR comment:
 * per rule the violations that would open and resolve, and the workload per assignee role.
 * Informational: exit 0 whatever the impact.
 *
 * Records come from `--records` (JSONL of record envelopes), else from DynamoDB: the local platform's
 * when COMPLIANCE_DYNAMODB_ENDPOINT is set (`npm start` prints it), else AWS; the table is
 * COMPLIANCE_RECORDS_TABLE, else `${COMPLIANCE_TABLE_PREFIX ?? "compliance-"}records`.
 */

import { readFileSync } from "node:fs";
import type { RecordEnvelope } from "../../schemas/record.ts";
import { createEvaluator } from "../core/engine/evaluate.ts";
import { impactMarkdown, replayImpact } from "../core/policy/impact.ts";
import type { PolicySet } from "../core/policy/model.ts";
import { companyTimeZone, DEFAULT_TIME_ZONE } from "../core/time.ts";
import type { Io } from "./io.ts";
import {
  baseFiles,
  folderFiles,
  loadOrReport,
  PolicyUsageError,
  printProblems,
  type ToolOptions,
  timeOption,
} from "./policy-common.ts";
import { latestRevisions, parseRecordsJsonl, scanStoredRecords } from "./policy-records.ts";

function readRecordsFile(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (cause) {
    throw new PolicyUsageError(`cannot read ${file}: ${(cause as Error).message}`);
  }
}

export async function policyImpact(
  dir: string | undefined,
  options: ToolOptions,
  io: Io,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  // refuse a malformed time as a usage error before anything else; its value needs org.yaml's zone
  if (options.at !== undefined) timeOption("at", options.at, DEFAULT_TIME_ZONE);
  if (options.since !== undefined) timeOption("since", options.since, DEFAULT_TIME_ZONE);
  const recordsText = options.records === undefined ? undefined : readRecordsFile(options.records);
  const { folder, files } = folderFiles(dir);
  const base = baseFiles(folder, options.base);
  const ref = options.base as string;

  const proposed = loadOrReport(files, io, options.json, "the proposed policies");
  if (!proposed.ok) return 1;
  const timeZone = companyTimeZone(proposed.set.org);
  const now = options.at === undefined ? Date.now() : timeOption("at", options.at, timeZone);
  const since = options.since === undefined ? undefined : timeOption("since", options.since, timeZone);
  let baseSet: PolicySet;
  if (base.length === 0)
    baseSet = { versions: [], org: proposed.set.org }; // no policies folder at base
  else {
    const loaded = loadOrReport(base, io, options.json, `the base policies (${ref})`);
    if (!loaded.ok) return 1;
    baseSet = loaded.set;
  }

  let stored: RecordEnvelope[];
  let skipped = 0;
  let source: string;
  if (options.records !== undefined && recordsText !== undefined) {
    const parsed = parseRecordsJsonl(options.records, recordsText);
    if (parsed.diagnostics.length > 0) {
      printProblems(io, parsed.diagnostics, options.json);
      return 1;
    }
    stored = parsed.records;
    source = `records file ${options.records}`;
  } else {
    const endpoint = env.COMPLIANCE_DYNAMODB_ENDPOINT || undefined;
    const table = env.COMPLIANCE_RECORDS_TABLE || `${env.COMPLIANCE_TABLE_PREFIX ?? "compliance-"}records`;
    source = endpoint ? `DynamoDB table ${table} at ${endpoint}` : `DynamoDB table ${table}`;
    try {
      const scanned = await scanStoredRecords({ endpoint, table });
      stored = scanned.records;
      skipped = scanned.skipped;
    } catch (error) {
      const name = (error as { name?: string }).name;
      const hint =
        name === "ResourceNotFoundException"
          ? " (no such table: set COMPLIANCE_RECORDS_TABLE or COMPLIANCE_TABLE_PREFIX)"
          : endpoint
            ? " (is the platform running? `npm start` prints its DynamoDB endpoint)"
            : " (set COMPLIANCE_DYNAMODB_ENDPOINT for the local platform, or AWS credentials and region)";
      io.err(`compliance: cannot read records from ${source}: ${(error as Error).message}${hint}`);
      return 1;
    }
  }

  const records = latestRevisions(stored, since);
  const report = replayImpact(createEvaluator(baseSet), createEvaluator(proposed.set), records, {
    now: new Date(now).toISOString(),
    mode: options.latest ? "latest" : "in-force",
  });
  const notes =
    skipped > 0
      ? [...report.notes, `${skipped} stored revisions are not valid records today and were left out.`]
      : report.notes;
  const full = { ...report, notes };
  const context = { base: ref, source, since: options.since };
  if (options.json) io.out(JSON.stringify({ ok: true, ...context, ...full }, null, 2));
  else io.out(impactMarkdown(full, context).trimEnd());
  return 0;
}
