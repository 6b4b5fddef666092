/**
 * The command line's times (CONTRACT §8: `--at` never read as the host's local time) and the
 * messages issue 13 asked for (did-you-mean, no cascades, JSON Lines, every issue of a record).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../functions/cli/main.ts";
import { overBudget } from "../support/records.ts";

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const tmp = mkdtempSync(join(tmpdir(), "compliance-cli-times-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

describe("compliance evaluate --at (CONTRACT §8)", () => {
  const record = file("record.json", JSON.stringify(overBudget("EXP-AT-1", 1)));

  it("refuses a zone-less date-time with the accepted forms (usage error, exit 2)", async () => {
    const result = await run("evaluate", record, "--at", "2026-03-02T11:00:01", "--json");
    expect(result.code).toBe(2);
    expect(result.err).toContain("--at 2026-03-02T11:00:01");
    expect(result.err).toContain("has no zone");
    expect(result.err).toContain("e.g. 2026-03-01, 2026-03-01T08:00:00Z or 2026-03-01T16:00+08:00");
  });

  it("refuses loose forms Date.parse would take", async () => {
    for (const loose of ["March 2, 2026", "2026/03/02", "2026-03-02 11:00"])
      expect((await run("evaluate", record, "--at", loose)).code).toBe(2);
  });

  it("reads a minutes-only time with an offset, and a date as 00:00 in the company's zone", async () => {
    const offset = JSON.parse(
      (await run("evaluate", record, "--at", "2026-03-02T11:00+08:00", "--json")).out,
    );
    expect(offset.evaluatedAt).toBe("2026-03-02T03:00:00.000Z");
    const date = JSON.parse((await run("evaluate", record, "--at", "2026-03-02", "--json")).out);
    expect(date.evaluatedAt).toBe("2026-03-01T16:00:00.000Z");
  });
});
