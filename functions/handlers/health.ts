/** GET /health (anyone) and GET /openapi.json (the published API description, bundled). */
import openapi from "../../schemas/openapi.json" with { type: "json" };
import { json } from "../http/api.ts";
import { notFound } from "../http/errors.ts";
import { httpHandler } from "../http/pipeline.ts";

let document: string | undefined;

/**
 * GET /health: `{"status":"ok"}` while the platform can serve. With a readiness probe (the local
 * runtime gives one: a read from DynamoDB, at most 2 s) a failing dependency answers 503
 * `{"status":"unavailable","dependencies":{"dynamodb":"unavailable"}}` with Retry-After.
 */
export type ReadinessProbe = () => Promise<Record<string, "ok" | "unavailable">>;

const PROBE_TIMEOUT_MS = 2000;

async function readiness(probe: ReadinessProbe): Promise<Record<string, "ok" | "unavailable"> | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), PROBE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([probe().catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export const createHealthHandler = (probe?: ReadinessProbe) =>
  httpHandler(async (event) => {
    if (event.routeKey === "GET /health") {
      if (!probe) return json(200, { status: "ok" });
      const dependencies = (await readiness(probe)) ?? { dynamodb: "unavailable" };
      if (Object.values(dependencies).every((s) => s === "ok")) return json(200, { status: "ok" });
      return json(503, { status: "unavailable", dependencies }, { "retry-after": "5" });
    }
    if (event.routeKey === "GET /openapi.json") {
      document ??= JSON.stringify(openapi);
      return {
        statusCode: 200,
        headers: { "content-type": "application/json; charset=utf-8" },
        body: document,
      };
    }
    throw notFound(`route ${event.routeKey}`);
  });

export const handler = createHealthHandler();
