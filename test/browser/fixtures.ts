/**
 * What every browser test shares: the platform's URL (from the global setup), a guard that fails a
 * test whose page made any request off the platform (the console makes no external calls), and
 * the ways people sign in.
 */
import { AxeBuilder } from "@axe-core/playwright";
import { test as base, expect, type Page } from "@playwright/test";
import { READER_TOKEN } from "./platform.ts";

export { expect };

export const test = base.extend<{ offsiteGuard: undefined }>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern
  baseURL: async ({}, use) => {
    const url = process.env.CONSOLE_TEST_BASE_URL;
    if (!url) throw new Error("CONSOLE_TEST_BASE_URL is not set: the global setup did not run");
    await use(url);
  },
  offsiteGuard: [
    async ({ page, baseURL }, use) => {
      const offsite: string[] = [];
      page.on("request", (request) => {
        const url = request.url();
        if (!url.startsWith(baseURL as string) && !url.startsWith("blob:") && !url.startsWith("data:"))
          offsite.push(url);
      });
      await use(undefined);
      expect(offsite, "requests off the platform").toEqual([]);
    },
    { auto: true },
  ],
});

/** Signs in with the machine reader credential (reads what an auditor reads; never acts). */
export async function signInAsReader(page: Page, next = ""): Promise<void> {
  await page.goto(`/console/sign-in${next ? `?next=${encodeURIComponent(next)}` : ""}`);
  // by ids, not words: the screenshots sign in in either language
  await page.locator("details.card > summary").click();
  await page.locator("#reader-token").fill(READER_TOKEN);
  await page.locator("#reader-token").press("Enter");
  await expect(page).not.toHaveURL(/\/console\/sign-in/);
}

/** Signs in as a person of the directory with the development issuer's picker. */
export async function signInAs(page: Page, personId: string, next = ""): Promise<void> {
  await page.goto(`/console/sign-in${next ? `?next=${encodeURIComponent(next)}` : ""}`);
  await page.locator("#person").selectOption(personId);
  await page.locator("form:has(#person) button[type=submit]").click();
  await expect(page.getByText(`(${personId})`).first()).toBeVisible();
}

/** The first person of the directory holding `role` (GET /local/people, as the picker reads it). */
export async function personWithRole(baseURL: string, role: string): Promise<string> {
  const response = await fetch(`${baseURL}/local/people`);
  type Person = { id: string; roles: string[] };
  const people = (await response.json()) as { items: Person[] } | Person[];
  const person = (Array.isArray(people) ? people : people.items).find((p) => p.roles.includes(role));
  if (!person) throw new Error(`no person with the role ${role} in the directory`);
  return person.id;
}

/** axe-core on the page as it is: no serious or critical violation. */
export async function expectAccessible(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(serious).toEqual([]);
}
