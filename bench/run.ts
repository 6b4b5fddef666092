/**
 * `npm run bench [part] [--quick]`: runs the benchmark parts (all, or the one named), prints each
 * part's figures and its bars, and exits 1 when a bar fails so CI can gate on it.
 * `--quick` uses 10k records instead of 100k: a smoke run, its figures are noisier.
 */
import { benchEngine } from "./engine.ts";

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
          name: "compiled ≥ 3× naive json-rules-engine",
          pass: r.ratios.compiledOverNaive >= 3,
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
];

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const wanted = args.filter((a) => !a.startsWith("--"));
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
