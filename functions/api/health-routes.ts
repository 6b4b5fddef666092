/** GET /health (anyone) and GET /openapi.json (the published API description, bundled). */
import * as z from "zod";
import { healthSchema } from "../../schemas/api.ts";
import openapi from "../../schemas/openapi.json" with { type: "json" };
import { ok, type Route, route } from "./route.ts";

/** This document's own schema: what GET /openapi.json answers (OpenAPI 3.1). */
export const openApiDocumentSchema = z
  .looseObject({
    openapi: z.literal("3.1.0"),
    info: z.looseObject({ title: z.string(), version: z.string() }),
  })
  .meta({ id: "OpenApiDocument", description: "This document (OpenAPI 3.1)." });

let document: string | undefined;

export const HEALTH_ROUTES: readonly Route[] = [
  route({
    method: "GET",
    path: "/health",
    fn: "health",
    access: "public",
    doc: {
      operationId: "getHealth",
      summary: "Liveness check",
      description: "Answers 200 while the function can serve; it does not touch DynamoDB.",
      responses: ({ ref, json }) => ({ 200: json("The platform serves requests.", ref(healthSchema)) }),
    },
    serve: async () => ok({ status: "ok" }),
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
        200: json("The OpenAPI 3.1 document.", ref(openApiDocumentSchema)),
      }),
    },
    serve: async () => {
      document ??= JSON.stringify(openapi);
      return { status: 200, text: document, headers: { "content-type": "application/json; charset=utf-8" } };
    },
  }),
];
