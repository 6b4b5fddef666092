/**
 * What changed between two revisions of a record: every leaf that was added, removed or changed,
 * named by its path (`data.approvals[1].at`), in document order.
 */
export interface Change {
  path: string;
  kind: "added" | "removed" | "changed";
  before?: unknown;
  after?: unknown;
}

function leaves(value: unknown, path: string, out: Map<string, unknown>): Map<string, unknown> {
  if (Array.isArray(value) && value.length > 0)
    for (const [i, v] of value.entries()) leaves(v, `${path}[${i}]`, out);
  else if (value !== null && typeof value === "object" && Object.keys(value).length > 0)
    for (const [k, v] of Object.entries(value)) leaves(v, path ? `${path}.${k}` : k, out);
  else out.set(path, value);
  return out;
}

export function diff(before: unknown, after: unknown): Change[] {
  const a = leaves(before, "", new Map());
  const b = leaves(after, "", new Map());
  const changes: Change[] = [];
  for (const [path, value] of a) {
    if (!b.has(path)) changes.push({ path, kind: "removed", before: value });
    else if (JSON.stringify(value) !== JSON.stringify(b.get(path)))
      changes.push({ path, kind: "changed", before: value, after: b.get(path) });
  }
  for (const [path, value] of b) if (!a.has(path)) changes.push({ path, kind: "added", after: value });
  return changes;
}
