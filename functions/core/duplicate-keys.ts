/**
 * Duplicate keys in JSON text. `JSON.parse` keeps the last of `{"amount": 1, "amount": 9e9}`, so
 * a body could say one thing to a signature checker or a log reader and another to us; CONTRACT
 * §2 makes them a 400. One linear pass over text that JSON.parse has already accepted: it only
 * tracks where it is (objects and their keys, arrays and their index).
 */

type Frame =
  | { readonly kind: "object"; readonly keys: Set<string>; key?: string; expectKey: boolean }
  | { readonly kind: "array"; index: number };

/** The path of the first duplicated key (e.g. `["data", "items", 0, "sku"]`), or undefined. */
export function firstDuplicateKey(text: string): (string | number)[] | undefined {
  const stack: Frame[] = [];
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */) stack.push({ kind: "object", keys: new Set(), expectKey: true });
    else if (c === 0x5b /* [ */) stack.push({ kind: "array", index: 0 });
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) stack.pop();
    else if (c === 0x2c /* , */) {
      const top = stack.at(-1);
      if (top?.kind === "array") top.index++;
      else if (top) top.expectKey = true;
    } else if (c === 0x22 /* " */) {
      const start = i;
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x22) break;
      }
      const top = stack.at(-1);
      if (top?.kind === "object" && top.expectKey) {
        const raw = text.slice(start + 1, i);
        const key = raw.includes("\\") ? (JSON.parse(`"${raw}"`) as string) : raw;
        if (top.keys.has(key))
          return [...stack.slice(0, -1).map((f) => (f.kind === "array" ? f.index : (f.key ?? ""))), key];
        top.keys.add(key);
        top.key = key;
        top.expectKey = false;
      }
    }
  }
  return undefined;
}
