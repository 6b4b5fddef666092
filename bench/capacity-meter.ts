/**
 * DynamoDB consumed capacity, observed through a middleware on the platform's SDK client: units
 * per table, index and operation, transactions as DynamoDB Local reports them and as AWS bills
 * them, and (while tracing) when each record was stored, claimed and evaluated.
 */
import { performance } from "node:perf_hooks";
import type { LocalPlatform } from "../functions/local/platform-runtime.ts";
import { epochNow } from "./load.ts";

const READ_COMMANDS = new Set([
  "GetItemCommand",
  "QueryCommand",
  "ScanCommand",
  "BatchGetItemCommand",
  "TransactGetItemsCommand",
]);
const WRITE_COMMANDS = new Set([
  "PutItemCommand",
  "UpdateItemCommand",
  "DeleteItemCommand",
  "BatchWriteItemCommand",
  "TransactWriteItemsCommand",
]);

interface Capacity {
  TableName?: string;
  CapacityUnits?: number;
  Table?: { CapacityUnits?: number };
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
  LocalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
}

export class CapacityMeter {
  on = false;
  readonly read = new Map<string, number>();
  readonly write = new Map<string, number>();
  readonly ops = new Map<string, { requests: number; units: number; ms: number }>();
  /** Successful writes per logical table. */
  readonly writes = new Map<string, number>();
  /** Conditional checks that failed (their units are not reported by DynamoDB's error). */
  conditionFailures = 0;
  /**
   * TransactWriteItems as DynamoDB Local reports them and as AWS bills them (2 WCU per item per
   * started KB, item size estimated from its JSON): DynamoDB Local reports less.
   */
  readonly transact = { requests: 0, items: 0, reported: 0, awsModel: 0 };
  private readonly prefix: string;
  constructor(prefix: string) {
    this.prefix = prefix;
  }

  /** Every write unit counted, transactions billed as AWS bills them (not as DynamoDB Local reports them). */
  awsModelWriteUnits(): number {
    return sumWhere(this.write, () => true) - this.transact.reported + this.transact.awsModel;
  }

  /** Every read unit counted. */
  readUnits(): number {
    return sumWhere(this.read, () => true);
  }

  private logical(table: string | undefined): string {
    const name = table ?? "?";
    return name.startsWith(this.prefix) ? name.slice(this.prefix.length) : name;
  }

  record(
    command: string,
    table: string | undefined,
    capacity: Capacity | Capacity[] | undefined,
    ms: number,
  ) {
    const kind = WRITE_COMMANDS.has(command) ? this.write : this.read;
    let total = 0;
    for (const c of Array.isArray(capacity) ? capacity : capacity ? [capacity] : []) {
      const name = this.logical(c.TableName);
      const indexes = { ...c.GlobalSecondaryIndexes, ...c.LocalSecondaryIndexes };
      let indexUnits = 0;
      for (const [index, units] of Object.entries(indexes)) {
        const u = units.CapacityUnits ?? 0;
        indexUnits += u;
        kind.set(`${name}/${index}`, (kind.get(`${name}/${index}`) ?? 0) + u);
      }
      const tableUnits = c.Table?.CapacityUnits ?? (c.CapacityUnits ?? 0) - indexUnits;
      kind.set(name, (kind.get(name) ?? 0) + tableUnits);
      total += c.CapacityUnits ?? tableUnits + indexUnits;
    }
    const first = Array.isArray(capacity) ? capacity[0] : capacity;
    // a BatchGetItem over several tables (record heads with newest revisions) is named by all of them
    const tables = table
      ? [table]
      : [...new Set((Array.isArray(capacity) ? capacity : [first]).map((c) => c?.TableName))];
    const op = `${tables.map((t) => this.logical(t)).join("+")} ${command.replace(/Command$/, "")}`;
    const tally = this.ops.get(op) ?? { requests: 0, units: 0, ms: 0 };
    tally.requests++;
    tally.units += total;
    tally.ms += ms;
    this.ops.set(op, tally);
    if (WRITE_COMMANDS.has(command)) {
      const name = this.logical(table ?? first?.TableName);
      this.writes.set(name, (this.writes.get(name) ?? 0) + 1);
    }
  }

  recordTransaction(input: Record<string, unknown>, capacity: Capacity | Capacity[] | undefined) {
    const items = (input.TransactItems ?? []) as Record<string, Record<string, unknown>>[];
    this.transact.requests++;
    this.transact.items += items.length;
    for (const c of Array.isArray(capacity) ? capacity : capacity ? [capacity] : [])
      this.transact.reported += c.CapacityUnits ?? 0;
    for (const item of items) {
      const op = Object.values(item)[0] ?? {};
      // a Put's item, or for Update/Delete/ConditionCheck the key and values (the stored item may be
      // larger: this is a lower bound for those)
      const bytes = JSON.stringify(op.Item ?? [op.Key, op.ExpressionAttributeValues]).length;
      this.transact.awsModel += 2 * Math.max(1, Math.ceil(bytes / 1024));
    }
  }

  reset() {
    for (const m of [this.read, this.write, this.ops, this.writes]) m.clear();
    this.conditionFailures = 0;
    Object.assign(this.transact, { requests: 0, items: 0, reported: 0, awsModel: 0 });
  }

  /**
   * While set, when each record went through the platform (epoch ms, as the load thread's times), keyed by
   * `${type}#${id}`: its revision stored by ingest, its head claimed by the evaluator (evaluation
   * begins), its last violation written.
   */
  trace: Map<string, { storedAt?: number; claimAt?: number; writtenAt?: number }> | undefined;

  observe(command: string, input: Record<string, unknown>, phase: "before" | "after") {
    if (!this.trace) return;
    const table = this.logical(input.TableName as string | undefined);
    let pk: string | undefined;
    let field: "storedAt" | "claimAt" | "writtenAt" | undefined;
    if (table === "records" && command === "PutItemCommand" && phase === "after") {
      pk = (input.Item as { pk?: string } | undefined)?.pk;
      field = "storedAt";
    } else if (table === "record-heads" && command === "UpdateItemCommand" && phase === "before") {
      pk = (input.Key as { pk?: string } | undefined)?.pk;
      field = "claimAt";
    } else if (table === "violations" && command === "PutItemCommand" && phase === "after") {
      const record = (input.Item as { record?: { type?: string; id?: string } } | undefined)?.record;
      pk = record ? `${record.type}#${record.id}` : undefined;
      field = "writtenAt";
    }
    if (pk === undefined || field === undefined) return;
    const entry = this.trace.get(pk) ?? {};
    entry[field] = epochNow();
    this.trace.set(pk, entry);
  }
}

export function instrument(platform: LocalPlatform, meter: CapacityMeter) {
  // DynamoDBDocumentClient shares its DynamoDBClient's middleware stack, so this sees every
  // command the platform sends (document commands arrive as their low-level counterparts)
  platform.runtime.dynamodb.doc.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? "";
      const input = args.input as Record<string, unknown>;
      if (meter.trace) {
        meter.observe(command, input, "before");
        const out = await next(args);
        meter.observe(command, input, "after");
        return out;
      }
      if (!meter.on || !(READ_COMMANDS.has(command) || WRITE_COMMANDS.has(command))) return next(args);
      const start = performance.now();
      try {
        const out = await next({ ...args, input: { ...input, ReturnConsumedCapacity: "INDEXES" } as never });
        const output = out.output as { ConsumedCapacity?: Capacity | Capacity[] };
        const ms = performance.now() - start;
        meter.record(command, input.TableName as string | undefined, output.ConsumedCapacity, ms);
        if (command === "TransactWriteItemsCommand") meter.recordTransaction(input, output.ConsumedCapacity);
        return out;
      } catch (error) {
        if ((error as { name?: string }).name === "ConditionalCheckFailedException")
          meter.conditionFailures++;
        throw error;
      }
    },
    { step: "initialize", name: "benchConsumedCapacity" },
  );
}

/** The audit trail's tables (audit-log, audit-digests): their writes are reported apart. */
export const isAudit = (key: string) => key.startsWith("audit-");

export function sumWhere(
  units: ReadonlyMap<string, number> | Record<string, number>,
  keep: (key: string) => boolean,
): number {
  const entries = units instanceof Map ? [...units.entries()] : Object.entries(units);
  return entries.filter(([k]) => keep(k)).reduce((total, [, v]) => total + v, 0);
}
