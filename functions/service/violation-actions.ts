/**
 * Changing one violation safely: read it, compute the next state, write it on the condition that
 * nobody wrote in between (the `ver` lock), and try again with a fresh read if someone did.
 */

import type { RecordEnvelope } from "../../schemas/record.ts";
import { culpritsOf } from "../core/case-actions.ts";
import { peopleFor, recordDepartment } from "../core/directory.ts";
import { DomainError } from "../core/errors.ts";
import type { StoredViolation } from "../core/lifecycle.ts";
import type { LoadedRule } from "../core/policy/model.ts";
import { AGAIN, retry } from "../core/retry.ts";
import { recordKey } from "../store/repositories.ts";
import type { Platform } from "./platform.ts";

export class ViolationNotFoundError extends DomainError<"not_found"> {
  constructor(id: string) {
    super("not_found", `violation ${id} not found`);
  }
}

const MAX_ATTEMPTS = 8;

export interface ChangeContext {
  readonly rule: LoadedRule | undefined;
  readonly record: RecordEnvelope | undefined;
  readonly culprits: readonly string[];
  readonly peopleFor: (role: string) => readonly string[];
}

/**
 * Applies `change` to the violation `id`; `change` returns the next state, or undefined for "no
 * change". Returns the state stored at the end (undefined when the violation does not exist).
 */
export async function changeViolation(
  platform: Platform,
  id: string,
  change: (current: StoredViolation, context: ChangeContext) => StoredViolation | undefined,
): Promise<StoredViolation | undefined> {
  return retry(
    { attempts: MAX_ATTEMPTS },
    async () => {
      const current = await platform.violations.get(id);
      if (!current) return undefined;
      const latest = await platform.records.latestRevision(recordKey(current.record.type, current.record.id));
      const record = latest?.record;
      const department = recordDepartment(record);
      const context: ChangeContext = {
        rule: platform.ruleOf(current.policyId, current.policyVersion, current.ruleId),
        record,
        culprits: culpritsOf(record),
        peopleFor: (role) => peopleFor(platform.set.org, role, department),
      };
      const next = change(current, context);
      if (!next) return current;
      if (await platform.violations.write(next, current.ver)) return next;
      return AGAIN; // someone wrote in between: read again
    },
    () => new DomainError("contention", `violation ${id} kept changing under us`),
  );
}
