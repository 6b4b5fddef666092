/**
 * Downloads of the API's exports. They need the bearer header, so a plain link cannot fetch them:
 * the console fetches the bytes and hands them to the browser as a file. A CSV longer than one
 * answer continues by the `X-Next-Cursor` header; its pages are joined under one header row.
 */
import { getFile } from "../api.ts";

export async function downloadExport(
  path: string,
  query: URLSearchParams,
  format: "csv" | "xlsx",
  name: string,
) {
  const q = new URLSearchParams(query);
  q.delete("cursor");
  q.delete("limit");
  q.set("format", format);
  const parts: Blob[] = [];
  let cursor: string | null = null;
  let first = true;
  do {
    if (cursor) q.set("cursor", cursor);
    const { blob, nextCursor } = await getFile(`${path}?${q}`);
    if (first || format !== "csv") parts.push(blob);
    else {
      const text = await blob.text();
      parts.push(new Blob([text.slice(text.indexOf("\n") + 1)]));
    }
    first = false;
    cursor = format === "csv" ? nextCursor : null;
  } while (cursor);
  const type =
    format === "csv" ? "text/csv" : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  saveBlob(new Blob(parts, { type }), `${name}.${format}`);
}

export function saveBlob(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
