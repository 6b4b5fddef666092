import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { ApiError, getJson } from "../api.ts";
import { dateTime, durationWords } from "../format.ts";
import { type Lang, t, useLang } from "../i18n.ts";
import { getConfig } from "../session.ts";

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** GETs `path` (null: nothing to load) whenever it changes; aborts the previous request. */
export function useApi<T>(path: string | null): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: !!path });
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  useEffect(() => {
    if (!path) return setState({ loading: false });
    const abort = new AbortController();
    setState((s) => ({ data: s.data, loading: true }));
    getJson<T>(path, { signal: abort.signal })
      .then((data) => setState({ data, loading: false }))
      .catch((error) => {
        if ((error as Error).name !== "AbortError") setState({ error, loading: false });
      });
    return () => abort.abort();
  }, [path, tick]);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

const CODE_WORDS: Record<string, { zh: string; en: string }> = {
  separation_of_duties: {
    en: "You cannot waive this violation: its record names you as the person who acted (separation of duties).",
    zh: "您不能豁免此違規：其記錄顯示您就是行為人（職責分離）。",
  },
  not_assigned: {
    en: "This violation is not assigned to you, so you cannot act on it.",
    zh: "此違規並未指派給您，您不能處理。",
  },
  actor_mismatch: {
    en: "An action can only be taken in your own name.",
    zh: "只能以您本人的名義處理。",
  },
  transition_not_allowed: {
    en: "This action is not allowed in the violation's current status.",
    zh: "此違規目前的狀態不允許這項處理。",
  },
  validation_failed: { en: "Some values are not accepted:", zh: "部分內容不被接受：" },
  unauthorized: {
    en: "You are not signed in, or your sign-in has expired.",
    zh: "您尚未登入，或登入已失效。",
  },
  forbidden: { en: "You may not see or do this.", zh: "您無權查看或執行此操作。" },
  not_found: { en: "It does not exist.", zh: "找不到此項目。" },
  invalid_cursor: {
    en: "This page link no longer works (it belongs to another query or an earlier run). Start from the first page.",
    zh: "此分頁連結已失效（屬於其他查詢或先前的執行）。請從第一頁開始。",
  },
  network_error: { en: "The platform cannot be reached.", zh: "無法連線到平台。" },
};

/** An API refusal in words: what it means for the reader, then the API's own message and issues. */
export function ErrorBox(props: { error: unknown; title?: string }) {
  const lang = useLang();
  const e = props.error;
  const api = e instanceof ApiError ? e : undefined;
  const words = api ? CODE_WORDS[api.code]?.[lang] : undefined;
  return (
    <div class="error" role="alert">
      <p>
        <strong>{props.title ?? t("errorTitle")}</strong>
        {api ? ` (${api.status || ""} ${api.code})` : ""}
      </p>
      {words && <p>{words}</p>}
      <p>{api ? api.message : String((e as Error)?.message ?? e)}</p>
      {api && api.issues.length > 0 && (
        <ul>
          {api.issues.map((issue) => (
            <li key={issue.path + issue.message}>
              <code>{issue.path || "(body)"}</code>: {issue.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Loading() {
  return (
    <p class="muted" role="status">
      {t("loading")}
    </p>
  );
}

/** An instant in the company's time zone, with the exact UTC time as a machine-readable attribute. */
export function Time(props: { iso: string | null | undefined }) {
  const lang = useLang();
  if (!props.iso) return <span>—</span>;
  return <time dateTime={props.iso}>{dateTime(props.iso, lang, getConfig().timeZone)}</time>;
}

export function dueWords(dueAt: string, now: number, lang: Lang): { text: string; overdue: boolean } {
  const ms = Date.parse(dueAt) - now;
  const overdue = ms < 0;
  return { text: t(overdue ? "overdueBy" : "dueIn", { d: durationWords(ms, lang) }, lang), overdue };
}

/** "due in 2 days 4 hours · 9 Dec 2026, 14:00 (Asia/Shanghai)" */
export function Due(props: { dueAt: string; active: boolean }) {
  const lang = useLang();
  const { text, overdue } = dueWords(props.dueAt, Date.now(), lang);
  return (
    <span class={props.active && overdue ? "overdue" : undefined}>
      {props.active && <strong>{text}</strong>}
      {props.active && " · "}
      <Time iso={props.dueAt} /> <span class="muted">({getConfig().timeZone})</span>
    </span>
  );
}

export function Section(props: { title: string; children: ComponentChildren; id: string }) {
  const { id } = props;
  return (
    <section aria-labelledby={`h-${id}`}>
      <h2 id={`h-${id}`}>{props.title}</h2>
      {props.children}
    </section>
  );
}
