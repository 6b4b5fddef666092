/**
 * The `notifications:` section of policies/org.yaml (CONTRACT §7): chat robots (group bots of
 * DingTalk, WeCom, Feishu or Slack) named by a channel id, each told about the violations assigned
 * to its roles or raised on its departments' records. The file names channels only: their URLs and
 * secrets come from the environment (`COMPLIANCE_CHANNEL_<ID>_URL`, `…_SECRET`) or Secrets Manager.
 */
import * as z from "zod";

export const CHAT_KINDS = ["dingtalk", "wecom", "feishu", "slack"] as const;
export type ChatKind = (typeof CHAT_KINDS)[number];

const slug = z
  .string()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "must be lowercase words joined by '-', e.g. finance-dingtalk");

export const channelSchema = z
  .strictObject({
    id: slug.meta({
      description: "channel id; its URL and secret come from COMPLIANCE_CHANNEL_<ID>_URL / _SECRET",
    }),
    kind: z.enum(CHAT_KINDS),
    roles: z
      .array(slug)
      .optional()
      .meta({ description: "told about violations assigned to any of these roles (escalations included)" }),
    departments: z
      .array(z.string().min(1))
      .optional()
      .meta({ description: "told about violations on records of these departments (data.department)" }),
  })
  .refine((c) => (c.roles?.length ?? 0) + (c.departments?.length ?? 0) > 0, {
    message: "a channel needs roles or departments (or both)",
  });

export const notificationsSchema = z
  .strictObject({ channels: z.array(channelSchema).default([]) })
  .meta({ description: "chat robots told about violations (URLs and secrets never in this file)" });

export type ChannelFile = z.infer<typeof channelSchema>;
export type NotificationsFile = z.infer<typeof notificationsSchema>;
