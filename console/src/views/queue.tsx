/**
 * My queue (every signed-in person): the violations assigned to me (`assignee=me`), overdue first,
 * each with what to do (the message in zh and en), by when (in words and in the company's time
 * zone), and the actions its status allows.
 */
import { useEffect, useState } from "preact/hooks";
import { getJson } from "../api.ts";
import { Actions } from "../components/actions.tsx";
import { Due, ErrorBox, Loading } from "../components/common.tsx";
import { Link } from "../components/link.tsx";
import { t, useLang } from "../i18n.ts";
import { isActive, isOverdue, queueOrder } from "../queue-order.ts";
import { navigate, queryString } from "../router.ts";
import type { Session } from "../session.ts";
import type { Violation, ViolationList } from "../types.ts";
import { nameOf, RECORD_TYPE_NAMES, SEVERITY_NAMES, STATUS_NAMES, STATUSES } from "../vocabulary.ts";

/** A queue is short; past this many the list says so and offers the rest page by page. */
const PAGE = 200;

export function QueueView(props: { query: URLSearchParams; session: Session }) {
  const lang = useLang();
  const status = props.query.get("status") ?? "";
  const [items, setItems] = useState<Violation[] | undefined>();
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>();
  const [tick, setTick] = useState(0);

  const load = async (after: string | null, base: Violation[]) => {
    const q = queryString({ assignee: "me", status, limit: String(PAGE), cursor: after });
    const page = await getJson<ViolationList>(`/v1/violations${q}`);
    setItems([...base, ...page.items]);
    setCursor(page.nextCursor);
  };

  useEffect(() => {
    setItems(undefined);
    setError(undefined);
    load(null, []).catch(setError);
  }, [status, tick]);

  const now = Date.now();
  const ordered = items ? queueOrder(items, now) : [];
  return (
    <>
      <h1>{t("queueTitle")}</h1>
      <p class="muted">{t("queueIntro")}</p>
      <div class="toolbar">
        <label for="queue-status">{t("statusFilter")}</label>
        <select
          id="queue-status"
          value={status}
          onChange={(e) => navigate(`queue${queryString({ status: (e.target as HTMLSelectElement).value })}`)}
        >
          <option value="">{t("allStatuses")}</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {nameOf(STATUS_NAMES, s, lang)}
            </option>
          ))}
        </select>
        <button type="button" onClick={() => setTick((n) => n + 1)}>
          {t("refresh")}
        </button>
      </div>
      {error !== undefined && <ErrorBox error={error} />}
      {!items && error === undefined && <Loading />}
      {items && ordered.length === 0 && <p>{t("queueEmpty")}</p>}
      <ol class="queue">
        {ordered.map((v) => (
          <li key={v.id} class={isOverdue(v, now) ? "card overdue-card" : "card"}>
            <article aria-labelledby={`q-${v.id}`}>
              <h2 id={`q-${v.id}`} class="card-title">
                {isOverdue(v, now) && <span class="badge overdue-badge">{t("overdue")}</span>}
                <span class={`badge sev-${v.severity}`}>{nameOf(SEVERITY_NAMES, v.severity, lang)}</span>{" "}
                <Link to={`violations/${encodeURIComponent(v.id)}`}>
                  {v.policyId} / {v.ruleId}
                </Link>{" "}
                <span class="status">{nameOf(STATUS_NAMES, v.status, lang)}</span>
              </h2>
              <p lang="zh-Hant">{v.message.zh}</p>
              <p lang="en">{v.message.en}</p>
              <p>
                {t("record")}: {nameOf(RECORD_TYPE_NAMES, v.record.type, lang)} <code>{v.record.id}</code> (
                {t("revision")} {v.record.revision})
              </p>
              <p>
                {t("due")}: <Due dueAt={v.dueAt} active={isActive(v.status)} />
              </p>
              <Actions
                violation={v}
                onDone={(updated) => setItems((all) => all?.map((x) => (x.id === updated.id ? updated : x)))}
              />
            </article>
          </li>
        ))}
      </ol>
      {cursor && items && (
        <button type="button" onClick={() => load(cursor, items).catch(setError)}>
          {t("nextPage")}
        </button>
      )}
    </>
  );
}
