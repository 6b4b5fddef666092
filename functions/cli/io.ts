/** Where a command writes: its lines for stdout and stderr (bin/compliance.js, or a test's capture). */
export interface Io {
  out(line: string): void;
  err(line: string): void;
}
