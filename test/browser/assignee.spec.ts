/**
 * The people violations are assigned to: their queue (what to do in zh and en, by when), acting on
 * a violation (the history then names them), and the API's refusal shown in words when the
 * record's own culprit tries to waive (separation of duties, CONTRACT §6).
 */
import { expect, expectAccessible, signInAs, test } from "./fixtures.ts";
import { ASSIGNEE, CULPRIT, EXPENSE } from "./seed.ts";

/** The queue card of EXPENSE's over-budget violation. */
function overBudgetCard(page: import("@playwright/test").Page) {
  return page
    .getByRole("listitem")
    .filter({ hasText: "expense-approval / over-budget" })
    .filter({ hasText: EXPENSE });
}

function tomorrow(): string {
  return new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
}

test.describe("a person a violation is assigned to", () => {
  test("sees the queue: the message in zh and en, the due time in words and in the company's zone", async ({
    page,
  }) => {
    await signInAs(page, ASSIGNEE);
    await expect(page).toHaveURL(/\/console\/queue$/);
    await expect(page.getByRole("heading", { level: 1, name: "My queue" })).toBeVisible();
    const card = overBudgetCard(page);
    await expect(card).toBeVisible();
    await expect(card.locator('p[lang="zh-Hant"]')).toContainText("超出預算餘額");
    await expect(card.locator('p[lang="en"]')).toContainText("exceeds the remaining budget");
    await expect(card).toContainText(/due in (\d+ days?)?( ?\d+ hours?)?/);
    await expect(card).toContainText("Asia/Shanghai");
    // a person who is not an auditor has no auditor views; their list is what is assigned to them
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link")).toHaveText([
      "My queue",
      "Violations",
      "Overview",
      "Dry run",
    ]);
    await page.goto("/console/complaints");
    await expect(page.getByRole("alert")).toHaveText("This view is for auditors.");
    await page.goto(`/console/violations?recordId=${EXPENSE}`);
    await expect(page.getByText("Only the violations assigned to you")).toBeVisible();
    await expect(page.getByRole("table")).toContainText("over-budget");
    await expect(page.getByRole("table")).not.toContainText("supporting-documents");
    await page.goto("/console/queue");
    await expect(overBudgetCard(page)).toBeVisible();
    await expectAccessible(page);
  });

  test("acknowledges a violation, and its history names them", async ({ page }) => {
    await signInAs(page, ASSIGNEE);
    const card = overBudgetCard(page);
    await card.getByRole("button", { name: "Acknowledge" }).click();
    await card.getByLabel("Reason").fill("Budget adjustment requested from finance");
    await card.getByRole("button", { name: "Confirm: Acknowledge" }).click();
    await expect(card.getByRole("status")).toHaveText("Done: the violation is now acknowledged.");
    await card.getByRole("link", { name: "expense-approval / over-budget" }).click();
    const history = page.getByRole("region", { name: "History" });
    await expect(history.getByRole("row").filter({ hasText: "acknowledged" })).toContainText(ASSIGNEE);
    await expect(history).toContainText("Budget adjustment requested from finance");
  });

  test("as the record's culprit is refused a waiver, in words (separation of duties)", async ({ page }) => {
    await signInAs(page, CULPRIT);
    const card = overBudgetCard(page);
    await card.getByRole("button", { name: "Waive" }).click();
    await card.getByLabel("Reason").fill("My own expense is fine");
    await card.getByLabel("Waived until").fill(tomorrow());
    await card.getByRole("button", { name: "Confirm: Waive" }).click();
    const alert = card.getByRole("alert");
    await expect(alert).toContainText("Refused");
    await expect(alert).toContainText("separation_of_duties");
    await expect(alert).toContainText("its record names you as the person who acted");
    await expectAccessible(page);
    // nothing changed
    await page.reload();
    await expect(overBudgetCard(page)).not.toContainText("waived");
  });
});
