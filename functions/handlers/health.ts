/** GET /health (anyone) and GET /openapi.json (the published API description). */
import { readFileSync } from "node:fs";
import { json } from "../http/api.ts";
import { notFound } from "../http/errors.ts";
import { httpHandler } from "../http/pipeline.ts";

let openapi: string | undefined;

export const handler = httpHandler(async (event) => {
  if (event.routeKey === "GET /health") return json(200, { status: "ok" });
  if (event.routeKey === "GET /openapi.json") {
    openapi ??= readFileSync(new URL("../../schemas/openapi.json", import.meta.url), "utf8");
    return { statusCode: 200, headers: { "content-type": "application/json; charset=utf-8" }, body: openapi };
  }
  throw notFound(`route ${event.routeKey}`);
});
