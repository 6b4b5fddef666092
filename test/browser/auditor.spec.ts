/**
 * An auditor (a person of the directory with the role `auditor`): sign-in with the development
 * issuer's picker, every auditor view — the overview's charts and the lists behind them, the
 * complaint report for a quarter, a violation's revisions, audit entries and explanation, a policy
 * version's rules in words, the dry run — the xlsx download, and axe on each.
 */
import { readFile } from "node:fs/promises";
import type { Page } from "@playwright/test";
import { expect, expectAccessible, personWithRole, signInAs, test } from "./fixtures.ts";
import { COMPLAINT_QUARTER, dryRunRecord, EXPENSE } from "./seed.ts";

async function signInAsAuditor(page: Page, baseURL: string): Promise<void> {
  await page.goto("/console/sign-in");
  await expect(page.getByText("Development sign-in")).toBeVisible();
  await expectAccessible(page);
  await signInAs(page, await personWithRole(baseURL, "auditor"));
}

test.describe("an auditor", () => {
  test("finds the rule ids and messages of a record's violations", async ({ page, baseURL }) => {
    await signInAsAuditor(page, baseURL as string);
    await page.goto(`/console/violations?recordId=${EXPENSE}`);
    const table = page.getByRole("table");
    await expect(table).toContainText("over-budget");
    await expect(table).toContainText("supporting-documents");
    await expect(table).toContainText("exceeds the remaining budget");
    await expectAccessible(page);
  });

  test("reads the overview's charts, and a chart leads to the list it counts", async ({ page, baseURL }) => {
    await signInAsAuditor(page, baseURL as string);
    await page.goto("/console/overview");
    for (const title of [
      "Open violations by area",
      "Open violations by severity",
      "Opened and resolved per week",
      "Open violations by assigned role",
      "Mean time to resolve per policy (hours)",
    ])
      await expect(page.getByRole("figure", { name: title })).toBeVisible();
    await expect(page.getByRole("link", { name: /Overdue now: \d+/ })).toBeVisible();
    await expectAccessible(page);
    const byArea = page.getByRole("figure", { name: "Open violations by area" });
    await byArea.getByText("Lists behind this chart").click();
    await byArea.getByRole("link", { name: /approval limits: \d+/ }).click();
    await expect(page).toHaveURL(/\/console\/violations\?status=open&area=approval-limits$/);
    await expect(page.getByRole("table")).toContainText(EXPENSE);
  });

  test("reads the complaint report for a quarter", async ({ page, baseURL }) => {
    await signInAsAuditor(page, baseURL as string);
    await page.goto("/console/complaints");
    await page.getByLabel("Year").selectOption(COMPLAINT_QUARTER.year);
    await page.getByLabel("Quarter", { exact: true }).selectOption(COMPLAINT_QUARTER.quarter);
    await page.getByRole("button", { name: "Show" }).click();
    await expect(page).toHaveURL(
      new RegExp(`/console/complaints\\?from=${COMPLAINT_QUARTER.from}&to=${COMPLAINT_QUARTER.to}$`),
    );
    const counts = page.getByRole("table", { name: "Complaint report" });
    await expect(counts.getByRole("row", { name: /legal/ })).toContainText("1");
    await expect(counts.getByRole("row", { name: /Total/ })).toContainText("3");
    await expect(page.getByTestId("deduction")).toHaveText("50");
    await expect(page.getByRole("table").nth(1)).toContainText("CMP-CONSOLE-2");
    await expectAccessible(page);
  });

  test("reads a violation's audit entries and its rule's explanation", async ({ page, baseURL }) => {
    await signInAsAuditor(page, baseURL as string);
    await page.goto(`/console/violations?recordId=${EXPENSE}&ruleId=supporting-documents`);
    await page.getByRole("link", { name: "expense-approval / supporting-documents" }).click();
    const entries = page.getByRole("region", { name: "Audit entries of this violation" });
    await expect(entries.getByRole("row")).not.toHaveCount(1);

    const explanation = page.getByRole("region", { name: "Why the rule fired" });
    await expect(explanation).toContainText("fires");
    await expect(explanation).toContainText("actual");
    await expectAccessible(page);
  });

  test("reads a violation's record revisions with a diff", async ({ page, baseURL }) => {
    await signInAsAuditor(page, baseURL as string);
    await page.goto(`/console/violations?recordId=${EXPENSE}&ruleId=supporting-documents`);
    await page.getByRole("link", { name: "expense-approval / supporting-documents" }).click();
    const revisions = page.getByRole("region", { name: "Record revisions" });
    await expect(revisions).toContainText("1, 2");
    await revisions.getByLabel("From revision").selectOption("1");
    await revisions.getByLabel("To revision").selectOption("2");
    await revisions.getByRole("button", { name: "Show the differences" }).click();
    await expect(revisions.getByRole("row", { name: /data\.attachments/ })).toContainText("changed");
    await expect(revisions.getByRole("row", { name: /data\.attachments/ })).toContainText("1");
    await expect(revisions.getByRole("row", { name: /data\.amount/ })).toContainText("12500");
    await expectAccessible(page);
  });

  test("reads a policy version's rules in words", async ({ page, baseURL }) => {
    await signInAsAuditor(page, baseURL as string);
    await page.goto("/console/policies");
    await page.getByRole("link", { name: "expense-approval version 1" }).click();
    await expect(page).toHaveURL(/\/console\/policies\/expense-approval\/1$/);
    const rule = page.getByRole("article", { name: /over-budget/ });
    await expect(rule).toContainText("Condition in words");
    await expectAccessible(page);
  });

  test("dry-runs a pasted record and sees what would fire, and why", async ({ page, baseURL }) => {
    await signInAsAuditor(page, baseURL as string);
    await page.goto("/console/dry-run");
    const record = dryRunRecord("EXP-DRY-1", new Date(Date.now() - 86_400_000).toISOString(), "console-test");
    await page.getByLabel("Record (JSON)").fill(JSON.stringify(record, null, 2));
    await page.getByRole("button", { name: "Evaluate" }).click();
    await expect(page.getByTestId("fired")).toContainText("expense-approval / over-budget");
    const overBudget = page.locator("details").filter({ hasText: "over-budget" });
    await expect(overBudget.locator("summary")).toContainText("fires");
    await expect(overBudget.locator("ul.tree").first()).toContainText("actual");
    await expectAccessible(page);
    // nothing was stored
    await page.goto("/console/violations?recordId=EXP-DRY-1");
    await expect(page.getByText("No violation matches these filters.")).toBeVisible();
  });

  test("downloads the list as an Excel workbook", async ({ page, baseURL }) => {
    await signInAsAuditor(page, baseURL as string);
    await page.goto(`/console/violations?recordId=${EXPENSE}`);
    await expect(page.getByRole("table")).toContainText(EXPENSE);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download Excel (xlsx)" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
    const bytes = await readFile(await download.path());
    expect(bytes.subarray(0, 2).toString()).toBe("PK");
  });
});
