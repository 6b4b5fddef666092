/**
 * Issue 11 item 11: background work (stream consumers, sweeps, digests) must not log under the
 * correlation id the last HTTP request left on the shared logger.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { createEventsHandler } from "../../functions/handlers/events.ts";
import { json } from "../../functions/http/api.ts";
import { httpHandler } from "../../functions/http/pipeline.ts";
import { logger } from "../../functions/runtime/logger.ts";

afterEach(() => {
  vi.restoreAllMocks();
  logger.setLogLevel("CRITICAL");
});

function captureLogs(): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  const capture = (chunk: unknown) => {
    for (const line of String(chunk).split("\n"))
      if (line.trim().startsWith("{")) lines.push(JSON.parse(line) as Record<string, unknown>);
    return true;
  };
  vi.spyOn(process.stdout, "write").mockImplementation(capture);
  vi.spyOn(process.stderr, "write").mockImplementation(capture);
  return lines;
}

describe("background log lines", () => {
  it("carry their own correlation id, not the previous request's", async () => {
    logger.setLogLevel("INFO");
    const lines = captureLogs();
    const route = httpHandler(async () => {
      logger.info("serving");
      return json(200, {});
    });
    await route(
      {
        routeKey: "GET /health",
        headers: { "x-correlation-id": "req-abc" },
        requestContext: { requestId: "r1" },
      } as never,
      {} as never,
    );
    const events = createEventsHandler(() => ({
      publish: async () => {
        throw new Error("bus down");
      },
    }));
    await events({
      Records: [
        {
          eventName: "INSERT",
          dynamodb: {
            Keys: { id: { S: "v1" } },
            SequenceNumber: "1",
            NewImage: {
              id: { S: "v1" },
              status: { S: "open" },
              record: { M: { type: { S: "expense" }, id: { S: "E1" }, revision: { N: "1" } } },
              history: { L: [] },
            },
          },
        },
      ],
    } as never);
    const serving = lines.find((l) => l.message === "serving");
    expect(serving?.correlation_id).toBe("req-abc");
    const background = lines.find((l) => l.message === "publishing events failed");
    expect(background, JSON.stringify(lines)).toBeDefined();
    expect(background?.correlation_id).not.toBe("req-abc");
    expect(String(background?.correlation_id)).toMatch(/^events:/);
  });
});
