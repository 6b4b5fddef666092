/** POST /v1/evaluate — a dry run: the same checks as ingest, nothing stored (CONTRACT §2). */
import { evaluateQuerySchema, evaluationSchema } from "../../schemas/api.ts";
import { recordSchema } from "../../schemas/record.ts";
import { ok, type Route, route } from "./route.ts";

export const EVALUATE_ROUTES: readonly Route[] = [
  route({
    method: "POST",
    path: "/v1/evaluate",
    fn: "evaluate",
    access: "reader",
    query: evaluateQuerySchema,
    body: recordSchema,
    bodyName: "record",
    doc: {
      operationId: "evaluateRecord",
      summary: "Dry run: evaluate a record without storing it",
      description:
        "The same validation and evaluation as `POST /v1/records`, with nothing stored: which policy versions apply and which violations the record would raise at the evaluation time.",
      body: "The record to evaluate (CONTRACT §1).",
      responses: ({ ref, json, error }) => ({
        200: json("The evaluation.", ref(evaluationSchema)),
        400: error(
          "`validation_failed` (the record or `at` is invalid; every problem in `issues`) or `invalid_json`.",
        ),
      }),
    },
    serve: async ({ query, body: record, runtime }) => {
      const { platform } = await runtime();
      return ok(platform.evaluator.evaluate(record, { now: query.at ?? platform.now() }));
    },
  }),
];
