/**
 * Checks of org.yaml's `notifications.channels` that need the whole file: a channel's roles must
 * be roles of the directory, and channel ids must be unique (each names its own URL variable).
 */
import type { Diagnostic } from "../diagnostics.ts";
import type { OrgDirectory } from "./model.ts";
import type { YamlSource } from "./yaml-source.ts";

export function channelDiagnostics(org: OrgDirectory, source: YamlSource): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const [i, channel] of (org.notifications?.channels ?? []).entries()) {
    if (seen.has(channel.id))
      out.push(
        source.at(
          ["notifications", "channels", i, "id"],
          "schema",
          `channel id "${channel.id}" is used twice`,
        ),
      );
    seen.add(channel.id);
    for (const [j, role] of (channel.roles ?? []).entries())
      if (!Object.hasOwn(org.roles, role))
        out.push(
          source.at(
            ["notifications", "channels", i, "roles", j],
            "unknown_role",
            `role "${role}" is not defined in org.yaml`,
          ),
        );
  }
  return out;
}
