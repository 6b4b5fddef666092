/**
 * The auditor's views as the machine reader credential sees them (it reads what an auditor reads):
 * the violation list and its filters through the URL, back/forward, sorting, pages, downloads, a
 * violation's page and history, audit verification, the policies, the language switch, and axe.
 */
import { readFile } from "node:fs/promises";
import { expect, expectAccessible, signInAsReader, test } from "./fixtures.ts";
import { EXPENSE, OTHER_EXPENSE } from "./seed.ts";

test.describe("signed in with the machine reader token", () => {
  test.beforeEach(async ({ page }) => {
    await signInAsReader(page);
  });

  test("the violation list filters through the URL and back/forward restores each query", async ({
    page,
  }) => {
    await page.goto(`/console/violations?recordId=${EXPENSE}`);
    await expect(page.getByRole("heading", { level: 1, name: "Violations" })).toBeVisible();
    const table = page.getByRole("table");
    await expect(table).toContainText(EXPENSE);
    await expect(table).not.toContainText(OTHER_EXPENSE);
    await expect(table).toContainText("over-budget");
    // the control shows the URL's filter
    await expect(page.getByLabel("Record id")).toHaveValue(EXPENSE);

    // a filter set with the controls lands in the URL under the API's parameter names
    await page.getByLabel("Record id").fill(OTHER_EXPENSE);
    await page.getByRole("group", { name: "Status" }).getByLabel("open").check();
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expect(page).toHaveURL(new RegExp(`/console/violations\\?status=open&recordId=${OTHER_EXPENSE}$`));
    await expect(table).toContainText(OTHER_EXPENSE);
    await expect(table).not.toContainText(EXPENSE);

    // the URL alone reproduces the view (a shared link), and back/forward move between queries
    await page.goBack();
    await expect(page).toHaveURL(new RegExp(`recordId=${EXPENSE}$`));
    await expect(table).toContainText(EXPENSE);
    await expect(page.getByLabel("Record id")).toHaveValue(EXPENSE);
    await page.goForward();
    await expect(table).toContainText(OTHER_EXPENSE);
    await expect(page.getByRole("group", { name: "Status" }).getByLabel("open")).toBeChecked();
    await expectAccessible(page);
  });

  test("columns sort within the loaded page, and pages follow nextCursor", async ({ page }) => {
    await page.goto("/console/violations?limit=2");
    const rows = page.getByRole("table").locator("tbody tr");
    await expect(rows).toHaveCount(2);
    await page
      .getByRole("button", { name: "Next page" })
      .or(page.getByRole("link", { name: "Next page" }))
      .click();
    await expect(page).toHaveURL(/limit=2&cursor=/);
    await expect(rows).toHaveCount(2);
    await page.getByRole("link", { name: "First page" }).click();
    await expect(page).not.toHaveURL(/cursor=/);

    await page.goto(`/console/violations?recordId=${EXPENSE}`);
    const ruleCells = page.getByRole("table").locator("tbody tr td:nth-child(3)");
    await page.getByRole("button", { name: "Sort by Rule" }).click();
    const ascending = await ruleCells.allTextContents();
    expect(ascending).toEqual([...ascending].sort());
    await expect(page.getByRole("columnheader", { name: /Rule/ })).toHaveAttribute("aria-sort", "ascending");
    await page.getByRole("button", { name: "Sort by Rule" }).click();
    expect(await ruleCells.allTextContents()).toEqual([...ascending].reverse());
  });

  test("the CSV download is the same query as the list", async ({ page }) => {
    await page.goto(`/console/violations?recordId=${EXPENSE}`);
    await expect(page.getByRole("table")).toContainText(EXPENSE);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download CSV" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^violations-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await readFile(await download.path(), "utf8");
    const [header, ...lines] = csv.trim().split(/\r?\n/);
    expect(header?.startsWith("id,policyId,policyVersion,ruleId")).toBe(true);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toContain(EXPENSE);
  });

  test("a violation's page shows its message, evidence, assignees, due and history", async ({ page }) => {
    await page.goto(`/console/violations?recordId=${EXPENSE}&ruleId=over-budget`);
    await page.getByRole("link", { name: "expense-approval / over-budget" }).click();
    await expect(page).toHaveURL(/\/console\/violations\/[0-9a-f]{32}$/);
    await expect(page.getByRole("heading", { level: 1 })).toContainText("over-budget");
    await expect(page.getByRole("heading", { name: "Evidence" })).toBeVisible();
    await expect(page.getByRole("region", { name: "Evidence" })).toContainText("budget.remaining");
    await expect(page.getByText("finance:").first()).toBeVisible();
    await expect(page.getByRole("region", { name: "History" }).getByRole("row")).not.toHaveCount(1);
    await expect(page.getByText("Asia/Shanghai").first()).toBeVisible();
    await expectAccessible(page);
    // back returns to the list it came from
    await page.goBack();
    await expect(page).toHaveURL(/ruleId=over-budget/);
  });

  test("audit verification runs on opening and says the trail is intact", async ({ page }) => {
    await page.goto("/console/audit");
    await expect(page.getByTestId("audit-result")).toContainText("The audit trail is intact");
    await page.getByRole("button", { name: "Verify again" }).click();
    await expect(page.getByTestId("audit-result")).toContainText(/intact: \d+ entries checked/);
    await expectAccessible(page);
  });

  test("the policies list every version and when it is in force, and a version's rules in words", async ({
    page,
  }) => {
    await page.goto("/console/policies");
    await expect(page.getByRole("heading", { name: "expense-approval" })).toBeVisible();
    await expect(page.getByRole("link", { name: "expense-approval version 1" })).toBeVisible();
    await expect(page.getByRole("region", { name: "expense-approval" })).toContainText("in force now");
    await expectAccessible(page);
    // a version's rules, each condition in words
    await page.getByRole("link", { name: "expense-approval version 1" }).click();
    await expect(page).toHaveURL(/\/console\/policies\/expense-approval\/1$/);
    const rule = page.getByRole("article", { name: /over-budget/ });
    await expect(rule).toContainText("Condition in words");
    await expect(rule).toContainText("finance");
    await expectAccessible(page);
  });

  test("the language switches to Chinese and back, and is remembered", async ({ page }) => {
    await page.goto(`/console/violations?recordId=${EXPENSE}`);
    await page.getByRole("button", { name: /Switch to Chinese/ }).click();
    await expect(page.getByRole("heading", { level: 1, name: "違規" })).toBeVisible();
    await expect(page.locator("html")).toHaveAttribute("lang", "zh-Hant");
    await expect(page.getByRole("button", { name: "下載 CSV" })).toBeVisible();
    await page.reload();
    await expect(page.getByRole("heading", { level: 1, name: "違規" })).toBeVisible();
    await expectAccessible(page);
    await page.getByRole("button", { name: /Switch to English/ }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Violations" })).toBeVisible();
  });

  test("the keyboard reaches the filters and the skip link goes to the content", async ({ page }) => {
    await page.goto("/console/violations");
    await expect(page.getByRole("heading", { level: 1, name: "Violations" })).toBeVisible();
    await page.keyboard.press("Tab");
    await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
    await page.keyboard.press("Enter");
    await page.getByLabel("Record id").focus();
    await page.keyboard.type(EXPENSE);
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(new RegExp(`recordId=${EXPENSE}`));
  });

  test("a signed-out visitor is sent to sign in and then to the page asked for", async ({
    page,
    context,
  }) => {
    await context.clearCookies();
    await page.evaluate(() => sessionStorage.clear());
    await page.goto(`/console/violations?recordId=${EXPENSE}`);
    await expect(page).toHaveURL(/\/console\/sign-in\?next=/);
    await expectAccessible(page);
    await signInAsReader(page, `violations?recordId=${EXPENSE}`);
    await expect(page).toHaveURL(new RegExp(`/console/violations\\?recordId=${EXPENSE}$`));
  });
});
