/** The router over a small route table (public routes: no runtime, no Java). */
import type { Context } from "aws-lambda";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { ok, type Route, route } from "../../functions/api/route.ts";
import { routeHandler } from "../../functions/api/router.ts";
import { DomainError } from "../../functions/core/errors.ts";
import type { HttpEvent } from "../../functions/http/api.ts";
import type { RuntimeSource } from "../../functions/runtime/runtime.ts";

const noRuntime: RuntimeSource = () => {
  throw new Error("public routes need no runtime");
};
const doc = { operationId: "x", summary: "x", description: "x", responses: () => ({}) };

const ROUTES: readonly Route[] = [
  route({
    method: "GET",
    path: "/things/{id}",
    fn: "health",
    access: "public",
    params: z.object({ id: z.string().regex(/^[0-9]+$/) }),
    notFound: ({ id }) => `thing ${id}`,
    query: z.strictObject({ limit: z.coerce.number().int().min(1).default(10) }),
    doc,
    serve: async ({ params, query }) => ok({ id: params.id, limit: query.limit }),
  }),
  route({
    method: "POST",
    path: "/things",
    fn: "health",
    access: "public",
    body: z.strictObject({ name: z.string().min(1) }),
    bodyName: "thing",
    doc,
    serve: async ({ body }) => {
      if (body.name === "taken") throw new DomainError("revision_conflict", "taken");
      return { status: 201, json: { name: body.name } };
    },
  }),
];

const handler = routeHandler(ROUTES, noRuntime);
const call = async (event: Partial<HttpEvent>) => {
  const result = await handler(
    { headers: {}, requestContext: { requestId: "r" }, ...event } as HttpEvent,
    {} as Context,
  );
  return { status: result.statusCode, body: JSON.parse(result.body ?? "null") };
};

describe("router", () => {
  it("validates path parameters and query, then serves with typed values", async () => {
    expect(
      await call({
        routeKey: "GET /things/{id}",
        pathParameters: { id: "42" },
        queryStringParameters: { limit: "5" },
      }),
    ).toEqual({ status: 200, body: { id: "42", limit: 5 } });
  });

  it("answers 404 when a path parameter names nothing, with the route's words", async () => {
    const { status, body } = await call({ routeKey: "GET /things/{id}", pathParameters: { id: "abc" } });
    expect(status).toBe(404);
    expect(body.error).toEqual({ code: "not_found", message: "thing abc not found" });
  });

  it("answers 400 validation_failed naming each bad query field", async () => {
    const { status, body } = await call({
      routeKey: "GET /things/{id}",
      pathParameters: { id: "1" },
      queryStringParameters: { limit: "0", extra: "x" },
    });
    expect(status).toBe(400);
    expect(body.error.code).toBe("validation_failed");
    expect(body.error.issues.map((i: { path: string }) => i.path).sort()).toEqual(["extra", "limit"]);
  });

  it("reads and validates the JSON body, naming it in the message", async () => {
    const post = (text: string) =>
      call({ routeKey: "POST /things", body: Buffer.from(text).toString("base64"), isBase64Encoded: true });
    expect(await post('{"name":"a"}')).toEqual({ status: 201, body: { name: "a" } });
    const bad = await post('{"name":""}');
    expect([bad.status, bad.body.error.code, bad.body.error.message]).toEqual([
      400,
      "validation_failed",
      "thing is invalid: 1 issue(s)",
    ]);
    expect((await post("{")).body.error.code).toBe("invalid_json");
  });

  it("maps a DomainError's code to its status (one table), with no try/catch in the route", async () => {
    const taken = await call({
      routeKey: "POST /things",
      body: Buffer.from('{"name":"taken"}').toString("base64"),
      isBase64Encoded: true,
    });
    expect([taken.status, taken.body.error.code]).toEqual([409, "revision_conflict"]);
  });

  it("answers 404 for a route key it does not serve", async () => {
    const { status, body } = await call({ routeKey: "GET /elsewhere" });
    expect([status, body.error.code]).toEqual([404, "not_found"]);
  });
});
