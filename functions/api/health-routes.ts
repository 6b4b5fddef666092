/** GET /health (anyone) and GET /openapi.json (the published API description, bundled). */
import openapi from "../../schemas/openapi.json" with { type: "json" };
import { ok, type Route, route } from "./route.ts";

let document: string | undefined;

/** How long /health waits for its dependencies before calling them unavailable. */
const PROBE_TIMEOUT_MS = 2000;

/** Each dependency's state, or undefined when the probe failed or took longer than PROBE_TIMEOUT_MS. */
async function probeWithin(
  probe: () => Promise<Record<string, "ok" | "unavailable">>,
): Promise<Record<string, "ok" | "unavailable"> | undefined> {
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

export const HEALTH_ROUTES: readonly Route[] = [
  route({
    method: "GET",
    path: "/health",
    fn: "health",
    access: "public",
    doc: {
      operationId: "getHealth",
      summary: "Liveness and readiness check",
      description:
        'Answers 200 `{"status":"ok"}` while the platform can serve. The local runtime also checks that DynamoDB answers (a read, at most 2 s) and answers 503 with `Retry-After` when it does not; on AWS the health function touches nothing.',
      responses: ({ ref, json }) => ({
        200: json("The platform serves requests.", ref("Health")),
        503: json(
          "A dependency is unavailable (local runtime); retry after `Retry-After` seconds.",
          ref("HealthUnavailable"),
        ),
      }),
    },
    serve: async ({ runtime }) => {
      // the health function on AWS has no runtime: nothing to probe
      const probe = await runtime().then(
        (rt) => rt.readiness,
        () => undefined,
      );
      if (!probe) return ok({ status: "ok" });
      const dependencies = (await probeWithin(probe)) ?? { dynamodb: "unavailable" as const };
      if (Object.values(dependencies).every((state) => state === "ok")) return ok({ status: "ok" });
      return { status: 503, json: { status: "unavailable", dependencies }, headers: { "retry-after": "5" } };
    },
  }),
  route({
    method: "GET",
    path: "/openapi.json",
    fn: "health",
    access: "public",
    doc: {
      operationId: "getOpenApi",
      summary: "This OpenAPI document",
      description: "The published description of the API (generated from the code's own schemas).",
      responses: ({ ref, json }) => ({
        200: json("The OpenAPI 3.1 document.", ref("OpenApiDocument")),
      }),
    },
    serve: async () => {
      document ??= JSON.stringify(openapi);
      return { status: 200, text: document, headers: { "content-type": "application/json; charset=utf-8" } };
    },
  }),
];
