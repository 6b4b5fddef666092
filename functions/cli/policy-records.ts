/**
 * Records to replay for `policy impact`: the latest stored revision of every record, from a
 * DynamoDB records table (a Scan: an offline tool, never a request path) or from a JSONL file of
 * record envelopes (or stored items `{pk, rev, record}`), so it runs without a database.
 */
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { type RecordEnvelope, recordSchema } from "../../schemas/record.ts";
import type { Diagnostic } from "../core/diagnostics.ts";
import { createTableClients } from "../store/clients.ts";
import { readJsonLines, schemaIssues } from "./json-lines.ts";

export interface LoadedRecords {
  readonly records: RecordEnvelope[];
  /** Items that are not valid records (a database written by an older schema, say). */
  readonly skipped: number;
}

/** Keeps the highest revision of each (type, id); optionally only those occurred at or after `since`. */
export function latestRevisions(records: Iterable<RecordEnvelope>, since?: number): RecordEnvelope[] {
  const latest = new Map<string, RecordEnvelope>();
  for (const r of records) {
    const key = `${r.type}#${r.id}`;
    const seen = latest.get(key);
    if (!seen || seen.revision < r.revision) latest.set(key, r);
  }
  return [...latest.values()]
    .filter((r) => since === undefined || Date.parse(r.occurredAt) >= since)
    .sort((a, b) => a.type.localeCompare(b.type) || a.id.localeCompare(b.id));
}

/**
 * Parses a JSONL file: blank lines and `#` comments are skipped; every other line must be a record
 * envelope or a stored item `{pk, rev, record}`. Every issue of a bad record is reported.
 */
export function parseRecordsJsonl(
  display: string,
  text: string,
): { records: RecordEnvelope[]; diagnostics: Diagnostic[] } {
  const records: RecordEnvelope[] = [];
  const { lines, diagnostics } = readJsonLines(display, text);
  for (const entry of lines) {
    const item = entry.value as { record?: unknown };
    const candidate =
      typeof item === "object" && item !== null && "record" in item ? item.record : entry.value;
    const parsed = recordSchema.safeParse(candidate);
    if (parsed.success) records.push(parsed.data);
    else diagnostics.push(...schemaIssues(display, text, entry, recordSchema, candidate));
  }
  return { records, diagnostics };
}

/** Each record's newest stored revision from a records table (it holds only those: one item per record). */
export async function scanStoredRecords(options: {
  readonly endpoint?: string;
  readonly table: string;
}): Promise<LoadedRecords> {
  const { doc, dynamodb } = createTableClients(options.endpoint);
  const records: RecordEnvelope[] = [];
  let skipped = 0;
  try {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(
        new ScanCommand({
          TableName: options.table,
          ProjectionExpression: "#record",
          ExpressionAttributeNames: { "#record": "record" },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        const parsed = recordSchema.safeParse(item.record);
        if (parsed.success) records.push(parsed.data);
        else skipped++;
      }
      start = page.LastEvaluatedKey;
    } while (start);
  } finally {
    doc.destroy();
    dynamodb.destroy();
  }
  return { records, skipped };
}
