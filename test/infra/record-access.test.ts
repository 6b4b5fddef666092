/**
 * The roles of ingest, the evaluator and the sweeper hold exactly the DynamoDB actions their code
 * sends to the record tables: each path of the store is run against DynamoDB Local with every
 * request recorded, and the actions it needed, per table, are compared with the role's.
 */
import { afterEach, describe, expect, it } from "vitest";
import { evaluateStoredRevision } from "../../functions/service/evaluate-revision.ts";
import { ingestRecord } from "../../functions/service/ingest.ts";
import { sweep } from "../../functions/service/sweep.ts";
import type { StoredRevision } from "../../functions/store/repositories.ts";
import type { TableName } from "../../infra/constructs/data.ts";
import { recordSchema } from "../../schemas/record.ts";
import { useTables } from "../support/dynamodb.ts";
import { complaint, expense, overBudget } from "../support/records.ts";
import { TestClock, testRuntime } from "../support/runtime.ts";
import { actionsOf, build, roleActions, TABLE_FIELDS } from "./support.ts";

const db = useTables();
const clock = new TestClock("2026-03-01T09:00:00Z");
const rt = testRuntime(db.endpoint, db.names, clock);
const { platform } = rt;
/** The tables compared: the records tables, and the violations the evaluator writes. */
const RECORD_TABLES: readonly TableName[] = ["records", "record-revisions", "record-heads", "violations"];
/** Set while a test stores what the role under test does not (ingest's writes in the evaluator's test). */
let recordingPaused = false;

/** The requests sent while `run` runs, as the IAM actions they need by logical table name. */
async function actionsWhile(run: () => Promise<unknown>): Promise<Map<TableName, string[]>> {
  const sent: { name: string; input: Record<string, unknown> }[] = [];
  let recording = true;
  rt.dynamodb.doc.middlewareStack.add(
    (next, context) => async (args) => {
      if (recording && !recordingPaused) {
        const name = (context.commandName ?? "").replace(/Command$/, "").replace(/Item$/, "");
        sent.push({ name, input: args.input as Record<string, unknown> });
      }
      return next(args);
    },
    { step: "initialize", name: "recordAccess", override: true },
  );
  try {
    await run();
  } finally {
    recording = false;
  }
  const logical = new Map(
    (Object.entries(TABLE_FIELDS) as [TableName, keyof typeof db.names][])
      .filter(([name]) => RECORD_TABLES.includes(name))
      .map(([name, field]) => [db.names[field], name]),
  );
  const out = new Map<TableName, string[]>();
  for (const [table, actions] of actionsOf(sent)) {
    const name = logical.get(table); // an index's requests are named `<table>/index/<name>`: left out
    if (name) out.set(name, [...actions].sort());
  }
  return out;
}

async function store(input: unknown): Promise<StoredRevision> {
  const record = recordSchema.parse(input);
  await ingestRecord(platform, record, "erp");
  const stored = await platform.records.getRevision(`${record.type}#${record.id}`, record.revision);
  if (!stored) throw new Error("not stored");
  return stored;
}

afterEach(() => rt.dynamodb.doc.middlewareStack.remove("recordAccess"));

describe("record tables: what each role holds is what its code sends", () => {
  const f = build().stack.functions;
  const roleOf = (fn: typeof f.ingest, tables: readonly TableName[]) =>
    new Map(tables.map((t) => [t, roleActions(fn, t)] as const).filter(([, a]) => a.length > 0));

  it("ingest: a new record, a duplicate, a newer revision, an older one", async () => {
    const used = await actionsWhile(async () => {
      for (const input of [expense("RA-1", 2), expense("RA-1", 2), expense("RA-1", 3), expense("RA-1", 2)])
        await ingestRecord(platform, recordSchema.parse(input), "erp");
    });
    expect(used).toEqual(roleOf(f.ingest, RECORD_TABLES));
  });

  it("evaluator: a first revision that fires, a newer one that resolves, an older one delivered again", async () => {
    const first = await store(overBudget("RA-2", 1));
    let second: StoredRevision | undefined;
    const used = await actionsWhile(async () => {
      await evaluateStoredRevision(platform, first, { inStreamOrder: true });
      recordingPaused = true;
      second = await store(expense("RA-2", 2));
      recordingPaused = false;
      expect((await evaluateStoredRevision(platform, second, { inStreamOrder: true })).changes.resolve).toBe(
        1,
      );
      expect((await evaluateStoredRevision(platform, first, { inStreamOrder: true })).applied).toBe(false);
    });
    expect(used).toEqual(roleOf(f.evaluator, RECORD_TABLES));
  });

  it("sweeper (record tables): a complaint whose deadline passed, re-judged from its latest revision", async () => {
    clock.set("2026-03-01T09:00:00Z");
    await evaluateStoredRevision(platform, await store(complaint("RA-3", 1)));
    // a replaced revision too: the latest judged one is read from record-revisions when a newer one waits
    await evaluateStoredRevision(platform, await store(complaint("RA-4", 1)));
    await store(complaint("RA-4", 2));
    clock.set("2026-03-02T08:00:01Z");
    const used = await actionsWhile(() => sweep(platform));
    const role = roleOf(f.sweeper, ["records", "record-revisions", "record-heads"]);
    for (const table of ["records", "record-revisions", "record-heads"] as const)
      expect(used.get(table), table).toEqual(role.get(table));
  });
});
