/**
 * What a notification says (CONTRACT §7): what happened, why (the violation's message), by when
 * (the due time in the company's time zone and in words) and a link — Chinese first, English
 * below. Mail, chat and webhook receivers all get their text from here.
 */

import type { Person } from "../directory.ts";
import type { Bilingual } from "../policy/model.ts";
import type { NotificationKind } from "./kinds.ts";
import { dueInWords, localTime } from "./when.ts";

/** The fields of a violation a message shows (a public violation has them all). */
export interface ViolationSummary {
  readonly id: string;
  readonly policyId: string;
  readonly ruleId: string;
  readonly severity: string;
  readonly status: string;
  readonly record: { readonly type: string; readonly id: string; readonly revision: number };
  readonly message: Bilingual;
  readonly dueAt: string;
}

const KIND_WORDS: Readonly<Record<NotificationKind, Bilingual>> = {
  opened: { zh: "新違規需要您處理", en: "A new violation needs your action" },
  escalated: { zh: "逾期違規已升級給您", en: "An overdue violation was escalated to you" },
  reopened: { zh: "違規已重新開啟", en: "A violation was reopened" },
  "waiver-expired": { zh: "豁免已到期，違規重新開啟", en: "A waiver expired: the violation is open again" },
  reminder: { zh: "提醒：違規即將到期", en: "Reminder: a violation is due soon" },
  digest: { zh: "每日待辦摘要", en: "Your daily queue" },
};

const SEVERITY_ZH: Readonly<Record<string, string>> = {
  low: "低",
  medium: "中",
  high: "高",
  critical: "嚴重",
};

export interface MessageText {
  readonly subject: string;
  readonly text: string;
}

export interface RenderContext {
  readonly timeZone: string;
  readonly nowMs: number;
  /** The link to a violation (console or API). */
  readonly link: (violationId: string) => string;
}

function what(v: ViolationSummary, lang: "zh" | "en"): string {
  return lang === "zh"
    ? `${v.policyId} / ${v.ruleId}（${v.record.type} ${v.record.id}，嚴重程度：${SEVERITY_ZH[v.severity] ?? v.severity}）`
    : `${v.policyId} / ${v.ruleId} (${v.record.type} ${v.record.id}, severity ${v.severity})`;
}

/** The lines about one violation, in one language. */
function violationLines(v: ViolationSummary, ctx: RenderContext, lang: "zh" | "en"): string[] {
  const due = `${localTime(v.dueAt, ctx.timeZone)}${lang === "zh" ? "，" : ", "}${dueInWords(v.dueAt, ctx.nowMs)[lang]}`;
  return lang === "zh"
    ? [what(v, "zh"), `原因：${v.message.zh}`, `期限：${due}`, `查看：${ctx.link(v.id)}`]
    : [what(v, "en"), `Why: ${v.message.en}`, `Due: ${due}`, `Open: ${ctx.link(v.id)}`];
}

function subject(kind: NotificationKind, about: string): string {
  return `[合規] ${KIND_WORDS[kind].zh}：${about} / [Compliance] ${KIND_WORDS[kind].en}: ${about}`;
}

/** A mail to a person: greeting and body in Chinese, then the same in English. */
function mail(subject: string, person: Person | undefined, zh: string[], en: string[]): MessageText {
  const zhText = [`${person?.name.zh ?? person?.id ?? ""}您好：`, "", ...zh].join("\n");
  const enText = [`Hello ${person?.name.en ?? person?.id ?? ""},`, "", ...en].join("\n");
  return { subject, text: `${zhText}\n\n----\n\n${enText}\n` };
}

/** One violation's change (or reminder) told to one person. */
export function renderMail(
  kind: Exclude<NotificationKind, "digest">,
  v: ViolationSummary,
  person: Person | undefined,
  ctx: RenderContext,
): MessageText {
  return mail(
    subject(kind, `${v.record.type} ${v.record.id}`),
    person,
    [`${KIND_WORDS[kind].zh}：`, ...violationLines(v, ctx, "zh")],
    [`${KIND_WORDS[kind].en}:`, ...violationLines(v, ctx, "en")],
  );
}

/** A person's daily digest: every violation in their queue, oldest due first. */
export function renderDigest(
  date: string,
  items: readonly ViolationSummary[],
  person: Person | undefined,
  ctx: RenderContext,
): MessageText {
  const sorted = [...items].sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.id.localeCompare(b.id));
  const block = (lang: "zh" | "en") =>
    sorted.map((v, i) =>
      violationLines(v, ctx, lang)
        .map((l, j) => (j === 0 ? `${i + 1}. ${l}` : `   ${l}`))
        .join("\n"),
    );
  return mail(
    subject("digest", date),
    person,
    [`${KIND_WORDS.digest.zh}（${date}）：您有 ${items.length} 項待處理的違規。`, "", ...block("zh")],
    [
      `${KIND_WORDS.digest.en} (${date}): ${items.length} violation${items.length === 1 ? "" : "s"} waiting for you.`,
      "",
      ...block("en"),
    ],
  );
}

/** A chat robot's message: a title and markdown (both languages), naming who must act. */
export function renderChat(
  kind: NotificationKind,
  v: ViolationSummary,
  people: readonly string[],
  ctx: RenderContext,
): { title: string; markdown: string; text: string } {
  const title = `${KIND_WORDS[kind].zh} / ${KIND_WORDS[kind].en}`;
  const zh = violationLines(v, ctx, "zh");
  const en = violationLines(v, ctx, "en");
  const who = people.length ? people.join(", ") : "-";
  const markdown = [
    `### ${KIND_WORDS[kind].zh}`,
    ...zh.slice(0, 3).map((l) => `- ${l}`),
    `- 負責人：${who}`,
    `- [查看](${ctx.link(v.id)})`,
    "",
    `### ${KIND_WORDS[kind].en}`,
    ...en.slice(0, 3).map((l) => `- ${l}`),
    `- Assigned to: ${who}`,
    `- [Open](${ctx.link(v.id)})`,
  ].join("\n");
  const text = [title, ...zh, `負責人：${who}`, "", ...en, `Assigned to: ${who}`].join("\n");
  return { title, markdown, text };
}
