import { describe, expect, it } from "vitest";
import { formatDiagnostic } from "../../functions/core/diagnostics.ts";
import { loadPolicies } from "../../functions/core/policy/loader.ts";
import { corpusCases, corpusFiles, expectedDiagnostics } from "../support/corpus.ts";

describe("policy loader corpus (expected diagnostics beside the inputs)", () => {
  it("has cases", () => {
    expect(corpusCases().length).toBeGreaterThanOrEqual(5);
  });
  for (const name of corpusCases()) {
    it(`reports exactly the expected diagnostics: ${name}`, () => {
      const result = loadPolicies(corpusFiles(name));
      const actual = result.ok ? [] : result.diagnostics.map(formatDiagnostic);
      expect(actual).toEqual(expectedDiagnostics(name));
      expect(result.ok).toBe(actual.length === 0);
    });
  }
});

describe("policy loader", () => {
  const base = corpusFiles("valid");

  it("loads a valid folder into versions with parameters substituted and evidence keys", () => {
    const result = loadPolicies(base);
    if (!result.ok) throw new Error(result.diagnostics.map(formatDiagnostic).join("\n"));
    const [policy] = result.set.versions;
    expect(policy?.id).toBe("complaint-basics");
    expect(policy?.sha256).toMatch(/^[0-9a-f]{64}$/);
    const rule = policy?.rules[0];
    expect(JSON.stringify(rule?.when)).toContain('"PT24H"');
    expect(JSON.stringify(rule?.when)).not.toContain('"param"');
    expect(rule?.evidence.map((e) => e.key)).toEqual(["elapsed"]);
    expect(rule?.dueMs).toBe(4 * 3_600_000);
  });

  it("never returns a policy set when any file has a problem", () => {
    const broken = base.map((f) =>
      f.path.endsWith("v1.yaml")
        ? { ...f, text: f.text.replace("operator: longerThan", "operator: longerThen") }
        : f,
    );
    const result = loadPolicies(broken);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.diagnostics.map((d) => d.code)).toEqual(["unknown_operator"]);
  });

  it("refuses a value that does not fit its operator", () => {
    const broken = base.map((f) =>
      f.path.endsWith("v1.yaml")
        ? { ...f, text: f.text.replace("value: { param: respondWithin }", "value: 24 hours") }
        : f,
    );
    const result = loadPolicies(broken);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.diagnostics).toHaveLength(1);
      expect(result.diagnostics[0]?.code).toBe("invalid_value");
      expect(result.diagnostics[0]?.message).toContain("ISO 8601 duration");
    }
  });

  it("reports an effectiveFrom that is not a date", () => {
    const broken = base.map((f) =>
      f.path.endsWith("v1.yaml")
        ? { ...f, text: f.text.replace("effectiveFrom: 2026-01-01", "effectiveFrom: 2026-02-30") }
        : f,
    );
    const result = loadPolicies(broken);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(formatDiagnostic(result.diagnostics[0] as never)).toMatch(
        /v1\.yaml:3:16: effectiveFrom: must be a date/,
      );
  });
});
