/**
 * A policies folder as it is at a git ref (the base of a pull request), read with git itself:
 * `git ls-tree` lists the folder at the ref, `git cat-file --batch` reads every file in one process.
 * Paths are relative to the repository root that contains the folder, whatever the current directory.
 */
import { execFileSync } from "node:child_process";
import { join, relative } from "node:path";
import { DomainError } from "../core/errors.ts";
import type { SourceFile } from "../core/policy/model.ts";

export class GitError extends DomainError<"git_error"> {
  constructor(message: string) {
    super("git_error", message);
  }
}

/** Variables that would point git at another repository than the one containing the folder
 * (set, say, while a git hook runs): the folder decides. */
const LOCATING = ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR"];

function git(cwd: string, args: readonly string[], input?: Buffer): Buffer {
  const env = { ...process.env };
  for (const name of LOCATING) delete env[name];
  try {
    return execFileSync("git", args, {
      cwd,
      env,
      input,
      maxBuffer: 1 << 30,
      stdio: ["pipe", "pipe", "pipe"],
    });
  } catch (cause) {
    const stderr = (cause as { stderr?: Buffer }).stderr?.toString().trim();
    const code = (cause as { code?: string }).code;
    if (code === "ENOENT") throw new GitError("git is not installed (or not on PATH)");
    throw new GitError(stderr?.split("\n")[0] || (cause as Error).message);
  }
}

/** How files of a folder are named in diagnostics: relative to the current directory (as readPolicyFiles). */
export function displayRoot(dir: string): string {
  return relative(process.cwd(), dir) || ".";
}

/** The files under `dir` as committed at `ref`, named like readPolicyFiles names them (sorted). */
export function readPolicyFilesAt(dir: string, ref: string): SourceFile[] {
  if (ref === "" || ref.startsWith("-")) throw new GitError(`not a git ref: ${ref}`);
  let prefix: string;
  try {
    prefix = git(dir, ["rev-parse", "--show-prefix"]).toString().trim();
  } catch (error) {
    throw new GitError(`${dir} is not inside a git repository (${(error as Error).message})`);
  }
  let commit: string;
  try {
    commit = git(dir, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`])
      .toString()
      .trim();
  } catch {
    throw new GitError(`unknown git ref ${ref} (in CI, check out with full history: fetch-depth: 0)`);
  }
  const top = git(dir, ["rev-parse", "--show-toplevel"]).toString().trim();
  const listing = git(top, ["ls-tree", "-r", "-z", "--full-tree", commit, "--", prefix || "."])
    .toString()
    .split("\0")
    .filter(Boolean);
  const blobs: { path: string; object: string }[] = [];
  for (const entry of listing) {
    // <mode> SP <type> SP <object> TAB <path>
    const tab = entry.indexOf("\t");
    const [mode, type, object] = entry.slice(0, tab).split(" ");
    const full = entry.slice(tab + 1);
    if (type !== "blob" || mode === "120000" || !object || !full.startsWith(prefix)) continue;
    blobs.push({ path: full.slice(prefix.length), object });
  }
  blobs.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (blobs.length === 0) return [];

  const out = git(top, ["cat-file", "--batch"], Buffer.from(blobs.map((b) => `${b.object}\n`).join("")));
  const shown = displayRoot(dir);
  const files: SourceFile[] = [];
  let at = 0;
  for (const blob of blobs) {
    const eol = out.indexOf(10, at);
    const header = out.subarray(at, eol).toString();
    const size = Number(header.split(" ")[2]);
    if (!header.startsWith(blob.object) || !Number.isFinite(size))
      throw new GitError(`unexpected answer from git cat-file: ${header}`);
    const text = out.subarray(eol + 1, eol + 1 + size).toString("utf8");
    at = eol + 1 + size + 1;
    files.push({ path: blob.path, display: join(shown, blob.path), text });
  }
  return files;
}
