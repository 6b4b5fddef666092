/**
 * The stats table (GET /v1/stats): counter items keyed by scope (`all`, `person:<id>`) and key
 * (`open`, `week#2026-W10`), changed only with ADD (core/stats.ts computes the deltas).
 */
import { type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { OPEN_KEY, type StatsDelta, weekKey } from "../core/stats.ts";
import { StoreError } from "./errors.ts";
import type { StatsRepository } from "./repositories.ts";

export class StatsStore implements StatsRepository {
  readonly doc: DynamoDBDocumentClient;
  readonly table: string;
  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.doc = doc;
    this.table = table;
  }

  /** One UpdateItem (ADD) per counter item a change touches. */
  async apply(deltas: readonly StatsDelta[]): Promise<void> {
    await Promise.all(
      deltas.map(async (d) => {
        const names: Record<string, string> = {};
        const values: Record<string, number> = {};
        const parts = Object.entries(d.add).map(([name, n], i) => {
          names[`#a${i}`] = name;
          values[`:a${i}`] = n;
          return `#a${i} :a${i}`;
        });
        try {
          await this.doc.send(
            new UpdateCommand({
              TableName: this.table,
              Key: { scope: d.scope, key: d.key },
              UpdateExpression: `ADD ${parts.join(", ")}`,
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
            }),
          );
        } catch (cause) {
          throw new StoreError("stats_write_failed", `could not update counters ${d.scope}/${d.key}`, {
            cause,
          });
        }
      }),
    );
  }

  /** The `open` item and the week items of `weeks` (one GetItem, one Query). */
  async read(
    scope: string,
    weeks: readonly string[],
  ): Promise<{ open?: Record<string, unknown>; weeks: Map<string, Record<string, unknown>> }> {
    const [open, found] = await Promise.all([
      this.doc.send(new GetCommand({ TableName: this.table, Key: { scope, key: OPEN_KEY } })),
      this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: "#s = :s AND #k BETWEEN :from AND :to",
          ExpressionAttributeNames: { "#s": "scope", "#k": "key" },
          ExpressionAttributeValues: {
            ":s": scope,
            ":from": weekKey(weeks[0] as string),
            ":to": weekKey(weeks.at(-1) as string),
          },
        }),
      ),
    ]);
    const byWeek = new Map<string, Record<string, unknown>>();
    for (const item of found.Items ?? []) byWeek.set(String(item.key).slice("week#".length), item);
    return { ...(open.Item ? { open: open.Item } : {}), weeks: byWeek };
  }
}
