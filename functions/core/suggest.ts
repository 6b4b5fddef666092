/**
 * "Did you mean …": the known names nearest to a misspelt one (optimal string alignment distance,
 * case-insensitive), so `decimalLessThen` points at `decimalLessThan`.
 */

function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const rows: number[][] = Array.from({ length: x.length + 1 }, (_, i) =>
    Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= x.length; i++)
    for (let j = 1; j <= y.length; j++) {
      const row = rows[i] as number[];
      const prev = rows[i - 1] as number[];
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let best = Math.min(
        (prev[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (prev[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1])
        best = Math.min(best, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      row[j] = best;
    }
  return (rows[x.length] as number[])[y.length] as number;
}

/** Up to `max` known names close enough to `name` to be what was meant, nearest first. */
export function nearestNames(name: string, known: Iterable<string>, max = 3): string[] {
  const limit = Math.max(2, Math.floor(name.length / 3));
  return [...new Set(known)]
    .map((candidate) => ({ candidate, d: distance(name, candidate) }))
    .filter(
      ({ candidate, d }) =>
        candidate !== name &&
        (d <= limit ||
          // a name with a word added or dropped: elapsedTime → elapsed
          (Math.min(candidate.length, name.length) >= 4 &&
            (name.toLowerCase().startsWith(candidate.toLowerCase()) ||
              candidate.toLowerCase().startsWith(name.toLowerCase())))),
    )
    .sort((a, b) => a.d - b.d || a.candidate.localeCompare(b.candidate))
    .slice(0, max)
    .map(({ candidate }) => candidate);
}

/** `: did you mean "a" or "b"?`, or "" when nothing is close. */
export function didYouMean(name: string, known: Iterable<string>): string {
  return didYouMeanAny(nearestNames(name, known));
}

/** `: did you mean "a" or "b"?` of suggestions found otherwise, or "" when there are none. */
export function didYouMeanAny(near: readonly string[]): string {
  if (near.length === 0) return "";
  const quoted = near.map((n) => `"${n}"`);
  const list = quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(", ")} or ${quoted.at(-1)}`;
  return `: did you mean ${list}?`;
}
