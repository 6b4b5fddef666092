/** POST /v1/evaluate — a dry run: the same checks as ingest, nothing stored (CONTRACT §2). */
import { evaluateQuerySchema, evaluateQuerySchemaIn, evaluationSchema } from "../../schemas/api.ts";
import { recordSchema } from "../../schemas/record.ts";
import { assertRecordTypeAllowed } from "../http/ingest-access.ts";
import { ok, type Route, route } from "./route.ts";

export const EVALUATE_ROUTES: readonly Route[] = [
  route({
    method: "POST",
    path: "/v1/evaluate",
    fn: "evaluate",
    access: "reader",
    query: evaluateQuerySchema,
    zoned: { query: evaluateQuerySchemaIn },
    body: recordSchema,
    bodyName: "record",
    doc: {
      operationId: "evaluateRecord",
      summary: "Dry run: evaluate a record without storing it",
      description: [
        "The same validation and evaluation as `POST /v1/records`, with nothing stored: which policy versions apply and which violations the record would raise at the evaluation time.",
        "",
        "With `explain=true` each entry of `policies` also has `rules`: every rule of that version with `fired` and its `explanation`, the rule's `when` as a tree of the same shape in which every condition was evaluated (no short-circuit): each leaf gives `value` as written, `expected` (parameters and fact references resolved), `actual` (the value read) and `result`; `fired` equals the root's `result`.",
      ].join("\n"),
      body: "The record to evaluate (schema `Record`).",
      responses: ({ ref, json, error }) => ({
        200: json("The evaluation.", ref(evaluationSchema)),
        400: error(
          "`validation_failed` (the record or `at` is invalid; every problem in `issues`) or `invalid_json`.",
        ),
      }),
    },
    serve: async ({ query, body: record, event, runtime }) => {
      const { platform, credentials } = await runtime();
      assertRecordTypeAllowed(credentials, event.principal?.id ?? "unknown", record.type);
      return ok(
        platform.evaluator.evaluate(record, {
          now: query.at ?? platform.now(),
          explain: query.explain === "true",
        }),
      );
    },
  }),
];
