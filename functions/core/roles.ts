/**
 * Role conventions of the catalogue: `general-manager` and `management` are interchangeable
 * wherever a role is required, ranked or given authority; seniority orders "X or higher".
 */

const EQUIVALENT: Readonly<Record<string, string>> = { "general-manager": "management" };

/** The canonical name a role is compared under. */
export function canonicalRole(role: string): string {
  const r = role.trim();
  return EQUIVALENT[r] ?? r;
}

export function sameRole(a: string, b: string): boolean {
  return canonicalRole(a) === canonicalRole(b);
}

const SENIORITY = ["salesperson", "sales-manager", "marketing-director", "management"];

/** Rank for "X or higher"; roles outside the ladder rank below everyone (-1). */
export function seniority(role: string): number {
  return SENIORITY.indexOf(canonicalRole(role));
}

export function isAtLeast(role: string, minimum: string): boolean {
  const rank = seniority(role);
  return rank >= 0 && rank >= seniority(minimum);
}

/** The entry of an authority table for a role, honouring the general-manager = management rule. */
export function lookupByRole<T>(table: Readonly<Record<string, T>>, role: string): T | undefined {
  const r = role.trim();
  if (Object.hasOwn(table, r)) return table[r];
  const canonical = canonicalRole(r);
  for (const [key, value] of Object.entries(table)) if (canonicalRole(key) === canonical) return value;
  return undefined;
}
