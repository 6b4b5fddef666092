/**
 * Temporary git repositories with a copy of the shipped policies, for the pull-request tools'
 * tests. Each lives under the OS temp folder; git runs with the repository-locating variables
 * removed (a hook's GIT_DIR must never lead it to this project's own repository).
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseDocument } from "yaml";
import { main } from "../../functions/cli/main.ts";
import { isLaterVersion, SHIPPED_DIR } from "../support/policies.ts";

export async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const gitEnv = () =>
  Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("GIT_"))) as NodeJS.ProcessEnv;

export interface PolicyRepo {
  readonly root: string;
  /** The policies folder inside the repository. */
  readonly dir: string;
  git(...args: string[]): string;
  read(path: string): string;
  write(path: string, text: string): void;
  remove(path: string): void;
  commit(message: string): void;
  dispose(): void;
}

/**
 * A repository whose first commit (branch main) holds policies/ as first released: every policy's
 * v1 (the shipped later versions left out, so the tests can write their own v2, v3 …).
 */
export function policyRepo(): PolicyRepo {
  const root = mkdtempSync(join(tmpdir(), "compliance-policy-repo-"));
  const dir = join(root, "policies");
  const git = (...args: string[]) =>
    execFileSync(
      "git",
      [
        "-c",
        "user.name=Policy Owner",
        "-c",
        "user.email=owner@example.com",
        "-c",
        "commit.gpgsign=false",
        ...args,
      ],
      {
        cwd: root,
        env: { ...gitEnv(), GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" },
        encoding: "utf8",
      },
    );
  git("init", "-q", "-b", "main");
  cpSync(SHIPPED_DIR, dir, { recursive: true, filter: (src) => !isLaterVersion(src) });
  const repo: PolicyRepo = {
    root,
    dir,
    git,
    read: (path) => readFileSync(join(dir, path), "utf8"),
    write(path, text) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    },
    remove: (path) => rmSync(join(dir, path)),
    commit(message) {
      git("add", "-A");
      git("commit", "-q", "-m", message);
    },
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
  repo.commit("policies as shipped");
  return repo;
}

export const EXPENSE_V1 = "approval-limits/expense-approval/v1.yaml";
export const EXPENSE_V2 = "approval-limits/expense-approval/v2.yaml";

/** A new version of a policy file: version and effectiveFrom set, then `edit` on the YAML document. */
export function nextVersion(
  text: string,
  version: number,
  effectiveFrom: string,
  edit: (doc: ReturnType<typeof parseDocument>) => void = () => {},
): string {
  const doc = parseDocument(text);
  doc.set("version", version);
  doc.set("effectiveFrom", effectiveFrom);
  edit(doc);
  return String(doc);
}
