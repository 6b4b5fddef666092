/**
 * The source tables' events the audit trail must hold, for verify's completeness check: every
 * stored record revision (every record's newest, in the records table, and every revision a newer
 * one replaced, in record-revisions) and every violation history entry. Read with
 * paginated Scans (verify reads everything anyway; no request path lists through here).
 */
import { type DynamoDBDocumentClient, ScanCommand, type ScanCommandOutput } from "@aws-sdk/lib-dynamodb";
import type { SourceEvent } from "../core/audit-completeness.ts";
import { auditEventKey, recordSubject, violationSubject } from "./audit-blocks.ts";
import type { TableNames } from "./tables.ts";

async function* scanAll(
  doc: DynamoDBDocumentClient,
  input: ConstructorParameters<typeof ScanCommand>[0],
): AsyncGenerator<Record<string, unknown>> {
  let start: Record<string, unknown> | undefined;
  do {
    const out: ScanCommandOutput = await doc.send(new ScanCommand({ ...input, ExclusiveStartKey: start }));
    yield* out.Items ?? [];
    start = out.LastEvaluatedKey;
  } while (start);
}

export function auditSources(
  doc: DynamoDBDocumentClient,
  tables: Pick<TableNames, "records" | "recordRevisions" | "violations">,
) {
  return {
    async *events(): AsyncGenerator<SourceEvent> {
      for (const table of [tables.records, tables.recordRevisions])
        for await (const item of scanAll(doc, {
          TableName: table,
          ProjectionExpression: "pk, rev, receivedAt",
          ConsistentRead: true,
        })) {
          const subject = recordSubject(String(item.pk));
          const rev = item.rev as number;
          yield { key: auditEventKey(subject, rev), subject, at: String(item.receivedAt), position: rev };
        }
      for await (const item of scanAll(doc, {
        TableName: tables.violations,
        ProjectionExpression: "id, history, historyCount",
        ConsistentRead: true,
      })) {
        const subject = violationSubject(String(item.id));
        const history = Array.isArray(item.history) ? (item.history as { at?: unknown }[]) : [];
        // the item keeps only the newest entries (core/lifecycle.ts appendHistory); `historyCount`
        // counts them all. Older positions are events too: their time is at most the oldest kept one's.
        const total = typeof item.historyCount === "number" ? item.historyCount : history.length;
        const offset = total - history.length;
        const oldestKept = String(history[0]?.at ?? "");
        for (let position = 1; position <= offset; position++)
          yield { key: auditEventKey(subject, position), subject, at: oldestKept, position };
        for (const [i, h] of history.entries())
          yield {
            key: auditEventKey(subject, offset + i + 1),
            subject,
            at: String(h?.at),
            position: offset + i + 1,
          };
      }
    },
  };
}
