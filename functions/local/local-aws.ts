/**
 * The two AWS APIs the bundled functions call besides DynamoDB, served locally for
 * `COMPLIANCE_BUNDLES=1` (their SDK clients reach it through AWS_ENDPOINT_URL_SECRETS_MANAGER and
 * AWS_ENDPOINT_URL_EVENTBRIDGE, so the bundles run unchanged): Secrets Manager's GetSecretValue
 * (the local secrets, by ARN) and EventBridge's PutEvents (handed to the local event path: the
 * events file and the notifier, as the bus's rule would). Anything else is answered as an unknown
 * operation, so a bundle calling a new API fails loudly here rather than reaching AWS.
 */
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface PutEventsEntry {
  readonly Source?: string;
  readonly DetailType?: string;
  readonly Detail?: string;
  readonly EventBusName?: string;
}

export interface LocalAws {
  readonly url: string;
  stop(): Promise<void>;
}

export async function startLocalAws(opts: {
  /** Secret ARN → its string value. */
  readonly secrets: ReadonlyMap<string, string>;
  readonly busName: string;
  readonly onEvents: (entries: readonly PutEventsEntry[]) => Promise<void>;
}): Promise<LocalAws> {
  const answer = (status: number, body: unknown) => ({ status, body: JSON.stringify(body) });
  const handle = async (target: string, input: Record<string, unknown>) => {
    if (target === "secretsmanager.GetSecretValue") {
      const id = String(input.SecretId ?? "");
      const value = opts.secrets.get(id);
      if (value === undefined)
        return answer(400, { __type: "ResourceNotFoundException", message: `no local secret ${id}` });
      return answer(200, { ARN: id, Name: id.split(":").at(-1), SecretString: value, VersionId: "local" });
    }
    if (target === "AWSEvents.PutEvents") {
      const entries = (input.Entries ?? []) as PutEventsEntry[];
      const unknown = entries.find((e) => e.EventBusName !== opts.busName);
      if (unknown)
        return answer(400, {
          __type: "ResourceNotFoundException",
          message: `no local bus ${unknown.EventBusName}`,
        });
      await opts.onEvents(entries);
      return answer(200, { FailedEntryCount: 0, Entries: entries.map(() => ({ EventId: randomUUID() })) });
    }
    return answer(400, { __type: "UnknownOperationException", message: `${target} is not served locally` });
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const target = String(req.headers["x-amz-target"] ?? "");
      let input: Record<string, unknown> = {};
      try {
        input = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
      } catch {
        input = {};
      }
      handle(target, input)
        .catch((error: unknown) =>
          answer(500, { __type: "InternalFailure", message: (error as Error).message ?? String(error) }),
        )
        .then(({ status, body }) => {
          res.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
          res.end(body);
        });
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
