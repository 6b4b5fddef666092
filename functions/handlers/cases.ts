/**
 * Case handlers' routes (CONTRACT §2): POST /v1/violations/{id}/acknowledge | waive | reopen with
 * `{by, reason}` (waive also `until`). 200 the updated violation; 400 without a reason; 404; 409
 * when the transition is not allowed (including a waiver by the person who caused it).
 */
import { caseActionSchemaIn } from "../../schemas/api.ts";
import { type CaseAction, CaseActionError } from "../core/case-actions.ts";
import { publicViolation } from "../core/lifecycle.ts";
import { companyTimeZone } from "../core/time.ts";
import { json } from "../http/api.ts";
import { bearer } from "../http/bearer.ts";
import { jsonBody, rawBody } from "../http/body.ts";
import { HttpError, notFound } from "../http/errors.ts";
import { httpHandler } from "../http/pipeline.ts";
import { parseOr400 } from "../http/validate.ts";
import { actOnViolation } from "../service/cases.ts";
import { ViolationNotFoundError } from "../service/violation-actions.ts";
import { fromEnv, type RuntimeSource } from "./runtime.ts";

const ACTIONS: Readonly<Record<string, CaseAction>> = {
  "POST /v1/violations/{id}/acknowledge": "acknowledge",
  "POST /v1/violations/{id}/waive": "waive",
  "POST /v1/violations/{id}/reopen": "reopen",
};

export function createCasesHandler(source: RuntimeSource = fromEnv) {
  return httpHandler(
    async (event) => {
      const { platform } = await source();
      const action = ACTIONS[event.routeKey];
      const id = event.pathParameters?.id ?? "";
      if (!action || !/^[0-9a-f]{32}$/.test(id)) throw notFound(`violation ${id}`);
      const request = parseOr400(
        caseActionSchemaIn(companyTimeZone(platform.set.org)),
        event.jsonBody,
        "request",
      );
      try {
        return json(200, publicViolation(await actOnViolation(platform, id, action, request)));
      } catch (error) {
        if (error instanceof ViolationNotFoundError) throw notFound(`violation ${id}`);
        if (error instanceof CaseActionError) {
          if (error.code === "invalid_until")
            throw new HttpError(400, "validation_failed", error.message, {
              issues: [{ path: "until", message: error.message }],
            });
          throw new HttpError(409, error.code, error.message);
        }
        throw error;
      }
    },
    bearer(async () => (await source()).credentials, "case-handler"),
    rawBody(),
    jsonBody(),
  );
}

export const handler = createCasesHandler();
