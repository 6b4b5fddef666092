/** GET /health (anyone) and GET /openapi.json (the published API description, bundled). */
import openapi from "../../schemas/openapi.json" with { type: "json" };
import { json } from "../http/api.ts";
import { notFound } from "../http/errors.ts";
import { httpHandler } from "../http/pipeline.ts";

let document: string | undefined;

export const handler = httpHandler(async (event) => {
  if (event.routeKey === "GET /health") return json(200, { status: "ok" });
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
