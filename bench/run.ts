/**
 * `npm run bench [part] [--quick]`: runs the benchmark parts (all, or the one named), prints each
 * part's figures and its bars, and exits 1 when a bar fails so CI can gate on it.
 * `--quick` is a smoke run with noisier figures: the engine part uses 10k records instead of 100k,
 * the platform part shorter windows and fewer samples (about 1 min instead of 2-3 min).
 */
import { benchAudit } from "./audit.ts";
import { BUNDLE_BUDGET_BYTES, benchBundles, COLD_START_BUDGET_RATIO } from "./bundles.ts";
import { benchEngine } from "./engine.ts";
import { benchPlatform } from "./platform.ts";

const pct = (ratio: number) => `${(ratio * 100).toFixed(1)} %`;

interface Bar {
  readonly name: string;
  readonly pass: boolean;
  readonly detail: string;
}

interface Part {
  readonly name: string;
  run(options: { quick: boolean }): Promise<Bar[]>;
}

/** Each part measures one thing and judges itself; later parts (platform, bundles) join this list. */
const PARTS: readonly Part[] = [
  {
    name: "engine",
    async run({ quick }) {
      const r = await benchEngine({ records: quick ? 10_000 : 100_000 });
      return [
        {
          // issue 15: no earlier bar regresses, the engine's included (it measured 10–14×)
          name: "compiled ≥ 8× naive json-rules-engine",
          pass: r.ratios.compiledOverNaive >= 8,
          detail: `${r.ratios.compiledOverNaive}×`,
        },
        { name: "compiled p99 < 1 ms per record", pass: r.p99Ms < 1, detail: `p99 ${r.p99Ms} ms` },
        {
          // the references measure the same rules only if they agree on what fires
          name: "plain function and json-rules-engine agree with the compiled evaluator",
          pass: r.mismatches.plain === 0 && r.mismatches.reference === 0,
          detail: `${r.mismatches.plain} plain, ${r.mismatches.reference} json-rules-engine mismatches`,
        },
      ];
    },
  },
  {
    name: "platform",
    async run({ quick }) {
      const r = await benchPlatform({ quick });
      return [
        {
          // issue 15: with every consumer running on the same cores, as `npm start` runs
          name: "accepted POSTs/s at c32, every consumer running, ≥ 33 % of raw PutItem/s (same run)",
          pass: r.ingestWithConsumersOverRawC32 >= 0.33,
          detail: `${r.ingestWithConsumersPerSec.c32}/s vs ${r.rawPutPerSec}/s = ${pct(r.ingestWithConsumersOverRawC32)}; the webhook alone (consumers paused) ${r.ingestPerSec.c32}/s = ${pct(r.ingestOverRawC32)}`,
        },
        {
          name: "records evaluated end to end at c32, every consumer running, ≥ 25 % of raw PutItem/s",
          pass: r.evaluatedEndToEndOverRawC32 >= 0.25,
          detail: `${r.evaluatedEndToEndPerSec.c32}/s = ${pct(r.evaluatedEndToEndOverRawC32)} (the window's records until the evaluator drained, ${r.drainAfterMs.c32} ms after the last POST)`,
        },
        {
          name: "p99 POST → violation visible ≤ 500 ms at c8",
          pass: r.p99VisibleMs <= 500 && r.latencySamples > 0,
          detail: `p99 ${r.p99VisibleMs} ms over ${r.latencySamples} records${r.latencyTimeouts ? `, ${r.latencyTimeouts} timeouts` : ""}`,
        },
        {
          // everything ingesting and evaluating a record writes, transactions billed as AWS bills them
          name: "≤ 4 AWS-billed write units per record (catalogue mix; tables, indexes, audit trail, notifications)",
          pass: r.writeUnitsPerRecordAwsModel <= 4 && r.records > 0,
          detail: `${r.writeUnitsPerRecordAwsModel} WCU/record over ${r.records} records (the audit trail's ${r.auditWriteUnitsPerRecord} of them)`,
        },
      ];
    },
  },
  {
    name: "bundles",
    async run() {
      const r = await benchBundles();
      const entries = Object.entries(r.functions);
      return [
        {
          name: `every Lambda bundle ≤ ${BUNDLE_BUDGET_BYTES.toLocaleString("en")} bytes`,
          pass: entries.every(([, f]) => f.bytes <= BUNDLE_BUDGET_BYTES),
          detail: entries.map(([name, f]) => `${name} ${f.bytes}`).join(", "),
        },
        {
          name: `every cold start ≤ ${COLD_START_BUDGET_RATIO}× a bare node start (median of 10)`,
          pass: entries.every(([, f]) => f.ratio <= COLD_START_BUDGET_RATIO),
          detail: `bare ${r.nodeBaselineMs} ms; ${entries.map(([name, f]) => `${name} ${f.ratio}×`).join(", ")}`,
        },
      ];
    },
  },
  {
    name: "audit",
    async run({ quick }) {
      const r = await benchAudit({ quick });
      return [
        {
          name: `an untouched log of ${r.entries.toLocaleString("en")} entries verifies, and one changed entry is named`,
          pass: r.intactVerified && r.tamperNamed,
          detail: `intact ${r.intactVerified}; changed chain ${r.tamper.chain} seq ${r.tamper.seq} → ${r.tamper.named}`,
        },
        {
          name: "verification reads and checks ≥ 10,000 entries/s",
          pass: r.verifyEntriesPerSec >= 10_000,
          detail: `${r.verifyEntriesPerSec.toLocaleString("en")} entries/s (${r.verifyMs} ms: read ${r.readMs} ms, check ${r.checkMs} ms)`,
        },
        {
          // issue 15: the whole pipeline ≤ 4 WCU per record; the trail was ~5.6 of 8.3–8.7
          name: "audit trail ≤ 1 write unit per record (busy stream; block PutItems, no transactions)",
          pass: r.writeUnitsPerRecord <= 1,
          detail: `${r.writeUnitsPerRecord} WCU per record (${r.writeUnitsPerEntry} per entry × ${r.entriesPerRecord} entries per record, ${r.entriesPerBlock} entries per block) + ${r.readUnitsPerEntry} RCU per entry; quiet stream (${r.quiet.batchEntries} entries per batch) ${r.quiet.writeUnitsPerRecord} WCU per record; ${r.appendsPerSec} entries/s`,
        },
        {
          name: "a redelivered batch appends nothing and writes nothing",
          pass: r.redelivery.appended === 0 && r.redelivery.writeUnits === 0,
          detail: `${r.redelivery.appended} entries, ${r.redelivery.writeUnits} WCU`,
        },
      ];
    },
  },
];

const args = process.argv.slice(2);
if (args.includes("--help") || args.includes("-h")) {
  // before anything runs: without a part named, every part runs (minutes of full load)
  console.log(`npm run bench [part] [--quick]
  parts: ${PARTS.map((p) => p.name).join(", ")} (all of them when none is named)
  --quick  shorter windows and fewer samples: a smoke run with noisier figures
Figures go to bench/results/<part>.json; the exit code is 1 when a bar fails.`);
  process.exit(0);
}
const quick = args.includes("--quick");
const wanted = args.filter((a) => !a.startsWith("--"));
const unknownFlags = args.filter((a) => a.startsWith("-") && a !== "--quick");
if (unknownFlags.length > 0) {
  console.error(`unknown option ${unknownFlags.join(", ")}; options: --quick, --help`);
  process.exit(2);
}
const unknown = wanted.filter((w) => !PARTS.some((p) => p.name === w));
if (unknown.length > 0) {
  console.error(`unknown part ${unknown.join(", ")}; parts: ${PARTS.map((p) => p.name).join(", ")}`);
  process.exit(2);
}

let failed = 0;
for (const part of PARTS.filter((p) => wanted.length === 0 || wanted.includes(p.name))) {
  const bars = await part.run({ quick });
  for (const bar of bars) {
    console.log(`${bar.pass ? "PASS" : "FAIL"}  ${part.name}: ${bar.name} (${bar.detail})`);
    if (!bar.pass) failed++;
  }
}
process.exitCode = failed > 0 ? 1 : 0;
