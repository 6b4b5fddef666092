/**
 * POST /v1/evaluate — a dry run: the same checks as ingest, nothing stored (CONTRACT §2); signed by
 * an ingest client, or called by a reader (a signed-in person or the machine reader).
 */
import { evaluateQuerySchema } from "../../schemas/api.ts";
import { recordSchema } from "../../schemas/record.ts";
import { json } from "../http/api.ts";
import { httpHandler } from "../http/pipeline.ts";
import { parseOr400 } from "../http/validate.ts";
import { fromEnv, type RuntimeSource } from "./runtime.ts";
import { signedJson } from "./signed-json.ts";

export function createEvaluateHandler(source: RuntimeSource = fromEnv) {
  return httpHandler(
    async (event) => {
      const { platform } = await source();
      const query = parseOr400(evaluateQuerySchema, event.queryStringParameters ?? {}, "query");
      const record = parseOr400(recordSchema, event.jsonBody, "record");
      const evaluation = platform.evaluator.evaluate(record, { now: query.at ?? platform.now() });
      return json(200, evaluation);
    },
    ...signedJson(source, { orSignedIn: true }),
  );
}

export const handler = createEvaluateHandler();
