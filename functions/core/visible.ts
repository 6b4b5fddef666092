/**
 * A string quoted so every character can be seen: anything outside printable ASCII is written as
 * \u{…}. Messages about ids use it, so "a.wu" with a zero-width space or a Cyrillic "а" does not
 * look like the person it imitates.
 */
export function visible(text: string): string {
  let out = "";
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    out += code >= 0x20 && code < 0x7f && ch !== '"' && ch !== "\\" ? ch : `\\u{${code.toString(16)}}`;
  }
  return `"${out}"`;
}
