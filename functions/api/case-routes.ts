/**
 * People acting on violations (CONTRACT §2, §6): POST /v1/violations/{id}/acknowledge | waive |
 * reopen with `{reason}` (waive also `until`; `by` optional and then the caller's id). Checked in
 * §6's order: 401 (sign-in), 404, 400, 403 actor_mismatch / separation_of_duties / not_assigned,
 * 409 when the transition is not allowed. 200 the updated violation; history names the caller.
 */
import { caseActionSchema, caseActionSchemaIn, violationPathSchema } from "../../schemas/violation-api.ts";
import type { CaseAction } from "../core/case-actions.ts";
import { DomainError } from "../core/errors.ts";
import { publicViolation } from "../core/lifecycle.ts";
import { actOnViolation } from "../service/cases.ts";
import { ok, type Route, route } from "./route.ts";

const UNTIL_IN_FUTURE = "`until` must be a timestamp in the future";

const ACTIONS: readonly (readonly [CaseAction, operationId: string, transition: string, extra: string])[] = [
  ["acknowledge", "acknowledgeViolation", "open → acknowledged", ""],
  [
    "waive",
    "waiveViolation",
    "open or acknowledged → waived, until `until` (in the future), when the sweeper reopens it",
    " The person whose action the record reports (its applicant, salesperson or actor) cannot waive it, assigned or not: 403 `separation_of_duties`.",
  ],
  ["reopen", "reopenViolation", "acknowledged, waived or resolved → open, with a new dueAt", ""],
];

export const CASE_ROUTES: readonly Route[] = ACTIONS.map(([action, operationId, transition, extra]) =>
  route({
    method: "POST",
    path: `/v1/violations/{id}/${action}`,
    fn: "cases",
    access: "person",
    params: violationPathSchema,
    notFound: ({ id }) => `violation ${id}`,
    exists: async ({ id }, runtime) => (await (await runtime()).platform.violations.get(id)) !== undefined,
    body: caseActionSchema,
    zoned: { body: caseActionSchemaIn },
    doc: {
      operationId,
      summary: `${action[0]?.toUpperCase()}${action.slice(1)} a violation`,
      description: `${transition}. The change is appended to \`history\` with \`by\` = the signed-in person and the \`reason\`. Checked in this order (the contract's §6): 401, 404, 400, 403 \`actor_mismatch\` (a \`by\` that is not the caller), 403 \`separation_of_duties\`, 403 \`not_assigned\` (acknowledge and waive: the caller is not among the assignees' people, escalated roles included; reopen: neither assigned nor an auditor; the machine reader never acts), 409.${extra}`,
      params: {
        id: {
          description: "violation id (32 lowercase hex digits)",
          example: "3f6b0c9e2d4a4b1c8e7f6a5b4c3d2e1f",
        },
      },
      body: "why (`until`: waive only; `by`: optional, the caller)",
      responses: ({ ref, json, error }) => ({
        200: json("The updated violation.", ref("StoredViolation")),
        400: error("`validation_failed`: no `reason`, or (waive) no `until` in the future; `invalid_json`.", {
          code: "validation_failed",
          message: "request is invalid: 1 issue(s)",
          issues: [{ path: "reason", message: "a reason is required" }],
        }),
        403: error(
          "`actor_mismatch`: `by` is not the signed-in person; `separation_of_duties`: the record names the caller as the one who acted (waive); `not_assigned`: the caller may not act on this violation; `forbidden`: an ingest signature instead of a bearer.",
          {
            code: "not_assigned",
            message: 'this violation is not assigned to "cs.liu", who may not acknowledge it',
          },
        ),
        404: error("`not_found`: no violation has this id."),
        409: error("`transition_not_allowed`: the violation's status does not allow this action.", {
          code: "transition_not_allowed",
          message: "cannot reopen a violation that is open",
        }),
      }),
    },
    serve: async ({ params: { id }, body, event, runtime }) => {
      const { platform } = await runtime();
      // an `until` not in the future is an invalid body: 400, before who may act (403)
      if (action === "waive" && (!body.until || Date.parse(body.until) <= platform.now().getTime()))
        throw new DomainError("validation_failed", UNTIL_IN_FUTURE, {
          issues: [{ path: "until", message: UNTIL_IN_FUTURE }],
        });
      if (!event.caller) throw new Error("person route without the sign-in middleware");
      return ok(publicViolation(await actOnViolation(platform, id, action, body, event.caller)));
    },
  }),
);
