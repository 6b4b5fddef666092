/**
 * Chat robots (group bots) in their documented message formats:
 * - DingTalk custom robot: markdown `{"msgtype":"markdown","markdown":{"title","text"}}`; with a
 *   secret ("加簽"), the URL carries `timestamp` (ms) and `sign` = base64(HMAC-SHA256(secret,
 *   "<timestamp>\n<secret>")), URL-encoded. Answers `{"errcode":0}` on success.
 * - WeCom (企業微信) group robot: `{"msgtype":"markdown","markdown":{"content"}}`; the key is in the
 *   URL. Answers `{"errcode":0}`.
 * - Feishu custom bot: `{"msg_type":"text","content":{"text"}}`, with a secret also `timestamp` (s)
 *   and `sign` = base64(HMAC-SHA256 keyed by "<timestamp>\n<secret>" over nothing). Answers `{"code":0}`.
 * - Slack incoming webhook: `{"text"}`. Answers `ok`.
 */
import { createHmac } from "node:crypto";
import type { ChatKind } from "../../../schemas/notifications.ts";
import { DeliveryError, postJson } from "./transports.ts";

export interface ChannelTarget {
  readonly url: string;
  readonly secret?: string;
}

export interface ChatMessage {
  readonly title: string;
  readonly markdown: string;
  readonly text: string;
}

export function dingTalkSign(secret: string, timestampMs: number): string {
  return createHmac("sha256", secret).update(`${timestampMs}\n${secret}`).digest("base64");
}

export function feishuSign(secret: string, timestampS: number): string {
  return createHmac("sha256", `${timestampS}\n${secret}`).update("").digest("base64");
}

/** The request a robot of this kind expects: URL (signed where the robot signs) and JSON body. */
export function chatRequest(
  kind: ChatKind,
  target: ChannelTarget,
  message: ChatMessage,
  nowMs: number,
): { url: string; body: string } {
  switch (kind) {
    case "dingtalk": {
      const url = new URL(target.url);
      if (target.secret) {
        url.searchParams.set("timestamp", String(nowMs));
        url.searchParams.set("sign", dingTalkSign(target.secret, nowMs));
      }
      return {
        url: url.toString(),
        body: JSON.stringify({
          msgtype: "markdown",
          markdown: { title: message.title, text: message.markdown },
        }),
      };
    }
    case "wecom":
      return {
        url: target.url,
        body: JSON.stringify({ msgtype: "markdown", markdown: { content: message.markdown } }),
      };
    case "feishu": {
      const timestamp = Math.floor(nowMs / 1000);
      const signed = target.secret
        ? { timestamp: String(timestamp), sign: feishuSign(target.secret, timestamp) }
        : {};
      return {
        url: target.url,
        body: JSON.stringify({ ...signed, msg_type: "text", content: { text: message.text } }),
      };
    }
    case "slack":
      return { url: target.url, body: JSON.stringify({ text: message.text }) };
  }
}

/** Sends, and treats a robot's own error answer (HTTP 200 with errcode ≠ 0) as a failure. */
export async function postChat(
  kind: ChatKind,
  target: ChannelTarget,
  message: ChatMessage,
  nowMs: number,
  timeoutMs: number,
): Promise<void> {
  const request = chatRequest(kind, target, message, nowMs);
  const answer = await postJson(request.url, request.body, {}, timeoutMs);
  if (kind === "slack") return;
  let parsed: { errcode?: unknown; code?: unknown; errmsg?: unknown; msg?: unknown } = {};
  try {
    parsed = JSON.parse(answer);
  } catch {
    // a robot that answers 2xx without JSON accepted the message
    return;
  }
  const code = kind === "feishu" ? (parsed.code ?? parsed.errcode ?? 0) : (parsed.errcode ?? 0);
  if (code !== 0)
    throw new DeliveryError(
      `${kind} robot refused the message: ${String(parsed.errmsg ?? parsed.msg ?? code)}`,
    );
}
