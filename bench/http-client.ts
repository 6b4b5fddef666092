/**
 * The benchmark's HTTP client for the platform's API: node:http with keep-alive (fetch costs
 * noticeably more CPU). Signs webhook POSTs with the platform's clock, as the platform verifies.
 */
import { Agent, request } from "node:http";
import { signatureHeader } from "../functions/http/signature.ts";
import type { RecordEnvelope } from "../schemas/record.ts";

export interface Reply {
  readonly status: number;
  readonly body: string;
}

export class Client {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private readonly base: URL;
  private readonly clientId: string;
  private readonly secret: string;
  private readonly auditorToken: string;
  private readonly clock: () => Date;
  constructor(url: string, clientId: string, secret: string, auditorToken: string, clock: () => Date) {
    this.base = new URL(url);
    this.clientId = clientId;
    this.secret = secret;
    this.auditorToken = auditorToken;
    this.clock = clock;
  }

  private send(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Reply> {
    return new Promise((resolve) => {
      const req = request(
        {
          host: this.base.hostname,
          port: this.base.port,
          method,
          path,
          agent: this.agent,
          headers: body === undefined ? headers : { ...headers, "content-length": Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
          );
          res.on("error", (e) => resolve({ status: 0, body: String(e) }));
        },
      );
      // a connection error is a failed request, counted by the caller; never a crash of the bench
      req.on("error", (e) => resolve({ status: 0, body: String(e) }));
      req.end(body);
    });
  }

  /** Signed with the platform's clock, as the platform verifies with it. */
  post(record: RecordEnvelope): Promise<Reply> {
    const body = JSON.stringify(record);
    const t = Math.floor(this.clock().getTime() / 1000);
    return this.send(
      "POST",
      "/v1/records",
      {
        "content-type": "application/json",
        "x-client-id": this.clientId,
        "x-signature": signatureHeader(this.secret, body, t),
      },
      body,
    );
  }

  /** How many violations the auditor API shows for a record (-1 on an error answer). */
  async violationCount(recordId: string): Promise<number> {
    const reply = await this.send("GET", `/v1/violations?recordId=${encodeURIComponent(recordId)}`, {
      authorization: `Bearer ${this.auditorToken}`,
    });
    if (reply.status !== 200) return -1;
    return (JSON.parse(reply.body) as { items: unknown[] }).items.length;
  }

  close() {
    this.agent.destroy();
  }
}
