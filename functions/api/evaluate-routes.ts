/**
 * The routes that read only the compiled policies, served by the evaluate function (it has no
 * table): POST /v1/evaluate — a dry run: the same checks as ingest, nothing stored — and the rule
 * reference for auditors, GET /v1/policies and GET /v1/policies/{id}/versions/{n} (CONTRACT §2).
 */
import { evaluateQuerySchema, evaluateQuerySchemaIn, policyVersionPathSchema } from "../../schemas/api.ts";
import { recordSchema } from "../../schemas/record.ts";
import { notFound } from "../http/errors.ts";
import { assertRecordTypeAllowed } from "../http/ingest-access.ts";
import type { PolicyRuntime } from "../runtime/policy-runtime.ts";
import { readPolicyVersion } from "../service/policy-reading.ts";
import { ok, type Route, route } from "./route.ts";

export const EVALUATE_ROUTES: readonly Route<PolicyRuntime>[] = [
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
        200: json("The evaluation.", ref("Evaluation")),
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
  route({
    method: "GET",
    path: "/v1/policies",
    fn: "evaluate",
    access: "auditor",
    doc: {
      operationId: "listPolicies",
      summary: "Every loaded policy version",
      description: "Every policy version the platform has loaded, with the SHA-256 of its file's bytes.",
      responses: ({ ref, json }) => ({ 200: json("The loaded policy versions.", ref("PolicyList")) }),
    },
    serve: async ({ runtime }) =>
      ok({
        items: (await runtime()).platform.set.versions.map((v) => ({
          id: v.id,
          version: v.version,
          area: v.area,
          appliesTo: v.appliesTo,
          effectiveFrom: v.effectiveFrom,
          sha256: v.sha256,
        })),
      }),
  }),
  route({
    method: "GET",
    path: "/v1/policies/{id}/versions/{n}",
    fn: "evaluate",
    access: "auditor",
    params: policyVersionPathSchema,
    notFound: ({ id, n }) => `policy ${id} version ${n}`,
    doc: {
      operationId: "getPolicyVersion",
      summary: "One policy version, each rule in words",
      description:
        "The version's fields, parameters and rules as its file writes them (`{param: name}` kept), each rule's condition also in words (`words`: zh and en), and `effectiveUntil` (the next version's `effectiveFrom`, or null).",
      params: {
        id: { description: "policy id", example: "expense-approval" },
        n: { description: "version number (1, 2, …)", example: "1" },
      },
      responses: ({ ref, json, error }) => ({
        200: json("The policy version.", ref("PolicyVersion")),
        404: error("`not_found`: no loaded policy has this id and version.", {
          code: "not_found",
          message: "policy expense-approval version 9 not found",
        }),
      }),
    },
    serve: async ({ params: { id, n }, runtime }) => {
      const found = readPolicyVersion((await runtime()).platform, id, n);
      if (!found) throw notFound(`policy ${id} version ${n}`);
      return ok(found);
    },
  }),
];
