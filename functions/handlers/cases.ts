/**
 * People acting on violations (CONTRACT §2, §6): POST /v1/violations/{id}/acknowledge | waive |
 * reopen with `{reason}` (waive also `until`; `by` optional and then the caller's id). Checked in
 * §6's order: 401 (sign-in middleware), 404, 400, 403 actor_mismatch / separation_of_duties /
 * not_assigned, 409 when the transition is not allowed. 200 the updated violation, whose history
 * names the signed-in person.
 */
import { caseActionSchema } from "../../schemas/api.ts";
import { type CaseAction, CaseActionError } from "../core/case-actions.ts";
import { publicViolation } from "../core/lifecycle.ts";
import { json } from "../http/api.ts";
import { jsonBody, rawBody } from "../http/body.ts";
import { HttpError, notFound } from "../http/errors.ts";
import { httpHandler } from "../http/pipeline.ts";
import { parseOr400 } from "../http/validate.ts";
import { ActionRefusedError, actOnViolation } from "../service/cases.ts";
import { ViolationNotFoundError } from "../service/violation-actions.ts";
import { fromEnv, type RuntimeSource } from "./runtime.ts";
import { callerOf, signedInFrom } from "./signed-in.ts";

const ACTIONS: Readonly<Record<string, CaseAction>> = {
  "POST /v1/violations/{id}/acknowledge": "acknowledge",
  "POST /v1/violations/{id}/waive": "waive",
  "POST /v1/violations/{id}/reopen": "reopen",
};

const untilIssue = (message: string) =>
  new HttpError(400, "validation_failed", message, { issues: [{ path: "until", message }] });

export function createCasesHandler(source: RuntimeSource = fromEnv) {
  return httpHandler(
    async (event) => {
      const { platform } = await source();
      const caller = callerOf(event);
      const action = ACTIONS[event.routeKey];
      const id = event.pathParameters?.id ?? "";
      // §6 order: unknown violation (404) before an invalid body (400) before who may act (403)
      if (!action || !/^[0-9a-f]{32}$/.test(id) || !(await platform.violations.get(id)))
        throw notFound(`violation ${id}`);
      const body = parseOr400(caseActionSchema, event.jsonBody, "request");
      if (action === "waive" && (!body.until || Date.parse(body.until) <= platform.now().getTime()))
        throw untilIssue("`until` must be a timestamp in the future");
      try {
        return json(200, publicViolation(await actOnViolation(platform, id, action, body, caller)));
      } catch (error) {
        if (error instanceof ViolationNotFoundError) throw notFound(`violation ${id}`);
        if (error instanceof ActionRefusedError)
          throw new HttpError(error.decision.status, error.decision.code, error.decision.message);
        if (error instanceof CaseActionError) {
          if (error.code === "invalid_until") throw untilIssue(error.message);
          throw new HttpError(409, error.code, error.message);
        }
        throw error;
      }
    },
    signedInFrom(source),
    rawBody(),
    jsonBody(),
  );
}

export const handler = createCasesHandler();
