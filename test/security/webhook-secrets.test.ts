/**
 * The webhook secrets on AWS (functions/runtime/secrets.ts): Secrets Manager's value (read and
 * cached by Powertools, stood in for here) is parsed once per value, again when it rotates, and a
 * malformed one is a SecretError, never a half-read map.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";

const secret = { value: "" };
vi.mock("@aws-lambda-powertools/parameters/secrets", () => ({
  getSecret: async () => secret.value,
}));
const { SecretError, webhookSecretsFrom } = await import("../../functions/runtime/secrets.ts");

describe("webhook secrets from Secrets Manager", () => {
  beforeEach(() => {
    secret.value = JSON.stringify({ erp: "s1", crm: "s2", empty: "", number: 3 });
  });

  it("reads clientId → secret, leaving out empty and non-string values", async () => {
    const secrets = await webhookSecretsFrom("arn:secret");
    expect([...secrets]).toEqual([
      ["erp", "s1"],
      ["crm", "s2"],
    ]);
  });

  it("parses a value once, and a rotated value again", async () => {
    const first = await webhookSecretsFrom("arn:secret");
    expect(await webhookSecretsFrom("arn:secret")).toBe(first);
    secret.value = JSON.stringify({ erp: "rotated" });
    const rotated = await webhookSecretsFrom("arn:secret");
    expect(rotated).not.toBe(first);
    expect(rotated.get("erp")).toBe("rotated");
  });

  it("refuses a value that is not a JSON object", async () => {
    for (const value of ["not json", "[1]", "null"]) {
      secret.value = value;
      await expect(webhookSecretsFrom("arn:secret")).rejects.toBeInstanceOf(SecretError);
    }
  });
});
