/**
 * Case handlers' routes (CONTRACT §2): POST /v1/violations/{id}/acknowledge | waive | reopen with
 * `{by, reason}` (waive also `until`). 200 the updated violation; 400 without a reason; 404; 409
 * when the transition is not allowed (including a waiver by the person who caused it).
 */
import {
  caseActionSchema,
  caseActionSchemaIn,
  storedViolationSchema,
  violationPathSchema,
} from "../../schemas/api.ts";
import type { CaseAction } from "../core/case-actions.ts";
import { publicViolation } from "../core/lifecycle.ts";
import { actOnViolation } from "../service/cases.ts";
import { ok, type Route, route } from "./route.ts";

const ACTIONS: readonly (readonly [CaseAction, operationId: string, transition: string, extra: string])[] = [
  ["acknowledge", "acknowledgeViolation", "open → acknowledged", ""],
  [
    "waive",
    "waiveViolation",
    "open or acknowledged → waived, until `until` (in the future), when the sweeper reopens it",
    " The person whose action the record reports (its applicant, salesperson or actor) cannot waive it: 409 `separation_of_duties`.",
  ],
  ["reopen", "reopenViolation", "acknowledged, waived or resolved → open, with a new dueAt", ""],
];

export const CASE_ROUTES: readonly Route[] = ACTIONS.map(([action, operationId, transition, extra]) =>
  route({
    method: "POST",
    path: `/v1/violations/{id}/${action}`,
    fn: "cases",
    access: "case-handler",
    params: violationPathSchema,
    notFound: ({ id }) => `violation ${id}`,
    body: caseActionSchema,
    zoned: { body: caseActionSchemaIn },
    doc: {
      operationId,
      summary: `${action[0]?.toUpperCase()}${action.slice(1)} a violation`,
      description: `${transition}. The change, with \`by\` and \`reason\`, is appended to \`history\`.${extra}`,
      params: {
        id: {
          description: "violation id (32 lowercase hex digits)",
          example: "3f6b0c9e2d4a4b1c8e7f6a5b4c3d2e1f",
        },
      },
      body: "who acts and why (`until`: waive only)",
      responses: ({ ref, json, error }) => ({
        200: json("The updated violation.", ref(storedViolationSchema)),
        400: error("`validation_failed`: no `reason`, or (waive) no `until` in the future; `invalid_json`.", {
          code: "validation_failed",
          message: "request is invalid: 1 issue(s)",
          issues: [{ path: "reason", message: "a reason is required" }],
        }),
        404: error("`not_found`: no violation has this id."),
        409: error(
          "`transition_not_allowed`: the violation's status does not allow this action; `separation_of_duties`: the waiver was asked by the person who caused the violation.",
          { code: "transition_not_allowed", message: "cannot reopen a violation that is open" },
        ),
      }),
    },
    serve: async ({ params: { id }, body, runtime }) =>
      ok(publicViolation(await actOnViolation((await runtime()).platform, id, action, body))),
  }),
);
