/**
 * `npm run screenshots`: every view of the console in English and Chinese, as PNGs in
 * docs/console/, taken from `npm start`'s platform with the seed records. People sign in with the
 * development issuer; where this platform has no such issuer yet, the auditor views are taken with
 * the machine reader token and the queue is left out (said in the output).
 */
import { mkdirSync } from "node:fs";
import type { Page } from "@playwright/test";
import { expect, signInAs, signInAsReader, test } from "./fixtures.ts";
import { ASSIGNEE, COMPLAINT_QUARTER, dryRunRecord, EXPENSE } from "./seed.ts";

const DIR = "docs/console";

const DRY_RUN_RECORD = dryRunRecord("EXP-SCREENSHOT", "2026-12-01T08:00:00+08:00", "erp");

async function hasDevIssuer(baseURL: string): Promise<{ auditor?: string }> {
  const response = await fetch(`${baseURL}/local/people`);
  if (!response.ok) return {};
  type Person = { id: string; roles: string[] };
  const body = (await response.json()) as { items: Person[] } | Person[];
  return { auditor: (Array.isArray(body) ? body : body.items).find((p) => p.roles.includes("auditor"))?.id };
}

async function shoot(page: Page, name: string, lang: string) {
  await page.waitForLoadState("networkidle");
  await expect(page.getByRole("status").filter({ hasText: /Loading|載入中/ })).toHaveCount(0);
  await page.screenshot({ path: `${DIR}/${name}-${lang}.png`, fullPage: true });
}

for (const lang of ["en", "zh"] as const) {
  test(`screenshots of every view (${lang})`, async ({ page, baseURL }) => {
    test.setTimeout(180_000);
    mkdirSync(DIR, { recursive: true });
    await page.addInitScript((l) => localStorage.setItem("compliance.console.lang", l), lang);
    const { auditor } = await hasDevIssuer(baseURL as string);

    await page.goto("/console/sign-in");
    await shoot(page, "sign-in", lang);

    if (auditor) {
      await signInAs(page, ASSIGNEE);
      await page.goto("/console/queue");
      await shoot(page, "queue", lang);
      await page.getByRole("button", { name: /Sign out|登出/ }).click();
      await signInAs(page, auditor);
    } else {
      console.log("no development issuer (GET /local/people): the queue is not shot, the rest as a reader");
      await signInAsReader(page);
    }

    await page.goto(`/console/violations?recordType=expense&status=open`);
    await shoot(page, "violations", lang);
    await page.goto(`/console/violations?recordId=${EXPENSE}&ruleId=over-budget`);
    await page.getByRole("link", { name: "expense-approval / over-budget" }).click();
    await page.getByRole("region", { name: /History|歷程/ }).waitFor();
    await shoot(page, "violation", lang);
    await page.goto("/console/overview");
    await shoot(page, "overview", lang);
    await page.goto(`/console/complaints?from=${COMPLAINT_QUARTER.from}&to=${COMPLAINT_QUARTER.to}`);
    await shoot(page, "complaints", lang);
    await page.goto("/console/audit");
    await page.getByTestId("audit-result").or(page.getByRole("alert")).first().waitFor();
    await shoot(page, "audit", lang);
    await page.goto("/console/policies");
    await shoot(page, "policies", lang);
    await page.goto("/console/policies/expense-approval/1");
    await shoot(page, "policy-version", lang);
    await page.goto("/console/dry-run");
    await page.locator("#dry-record").fill(JSON.stringify(DRY_RUN_RECORD, null, 2));
    await page.locator("form.card button[type=submit]").click();
    await page.getByTestId("fired").or(page.getByRole("alert")).first().waitFor();
    await shoot(page, "dry-run", lang);
  });
}
