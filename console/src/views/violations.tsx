/**
 * The violation list (auditors): every filter of CONTRACT §2 as a control, the URL's query string
 * being the API's own query (so a link is the query), pages by `nextCursor` (each page its own URL:
 * back/forward move between pages), columns sortable within the loaded page, and the same query
 * downloadable as CSV and xlsx.
 */
import { useState } from "preact/hooks";
import { Due, ErrorBox, Loading, Time, useApi } from "../components/common.tsx";
import { downloadExport } from "../components/download.ts";
import { Link } from "../components/link.tsx";
import { dayIn } from "../format.ts";
import { type Lang, type MessageKey, t, useLang } from "../i18n.ts";
import { isActive } from "../queue-order.ts";
import { navigate } from "../router.ts";
import { getConfig } from "../session.ts";
import type { PolicyList, Violation, ViolationList } from "../types.ts";
import {
  AREA_NAMES,
  AREAS,
  nameOf,
  RECORD_TYPE_NAMES,
  RECORD_TYPES,
  SEVERITIES,
  SEVERITY_NAMES,
  STATUS_NAMES,
  STATUSES,
} from "../vocabulary.ts";

/** The list filters of CONTRACT §2, by kind of control. */
const MULTI: {
  name: string;
  label: MessageKey;
  values: (policies?: PolicyList) => string[];
  names?: Record<string, { zh: string; en: string }>;
}[] = [
  { name: "status", label: "status", values: () => STATUSES, names: STATUS_NAMES },
  { name: "severity", label: "severity", values: () => SEVERITIES, names: SEVERITY_NAMES },
  {
    name: "area",
    label: "area",
    values: (p) => [...new Set([...AREAS, ...(p?.items.map((i) => i.area) ?? [])])].sort(),
    names: AREA_NAMES,
  },
  { name: "recordType", label: "recordType", values: () => RECORD_TYPES, names: RECORD_TYPE_NAMES },
];
const TEXT: { name: string; label: MessageKey; list?: string }[] = [
  { name: "policyId", label: "policyId", list: "policy-ids" },
  { name: "ruleId", label: "ruleId" },
  { name: "recordId", label: "recordId" },
  { name: "department", label: "department" },
  { name: "assigneeRole", label: "assigneeRole" },
  { name: "assignee", label: "assignee" },
];
const DATES: { name: string; label: MessageKey }[] = [
  { name: "from", label: "detectedFrom" },
  { name: "to", label: "detectedTo" },
  { name: "occurredFrom", label: "occurredFrom" },
  { name: "occurredTo", label: "occurredTo" },
  { name: "resolvedFrom", label: "resolvedFrom" },
  { name: "resolvedTo", label: "resolvedTo" },
];
const LIMITS = ["25", "50", "100", "200", "500"];

type SortKey = "severity" | "status" | "rule" | "record" | "dueAt" | "detectedAt";
const SEVERITY_RANK = { low: 0, medium: 1, high: 2, critical: 3 } as const;

function compare(key: SortKey, a: Violation, b: Violation): number {
  switch (key) {
    case "severity":
      return SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity];
    case "status":
      return a.status.localeCompare(b.status);
    case "rule":
      return `${a.policyId}/${a.ruleId}`.localeCompare(`${b.policyId}/${b.ruleId}`);
    case "record":
      return `${a.record.type}/${a.record.id}`.localeCompare(`${b.record.type}/${b.record.id}`);
    case "dueAt":
    case "detectedAt":
      return Date.parse(a[key]) - Date.parse(b[key]);
  }
}

function multiValues(query: URLSearchParams, name: string): Set<string> {
  return new Set(
    query
      .getAll(name)
      .flatMap((v) => v.split(","))
      .filter(Boolean),
  );
}

/** The form's values as the API's query (lists comma-separated, empty controls left out). */
function formQuery(form: HTMLFormElement): URLSearchParams {
  const data = new FormData(form);
  const q = new URLSearchParams();
  for (const m of MULTI) {
    const values = data.getAll(m.name).map(String);
    if (values.length) q.set(m.name, values.join(","));
  }
  for (const f of [...TEXT, ...DATES]) {
    const value = String(data.get(f.name) ?? "").trim();
    if (value) q.set(f.name, value);
  }
  if (data.get("overdue")) q.set("overdue", "true");
  const limit = String(data.get("limit") ?? "");
  if (limit && limit !== "100") q.set("limit", limit);
  return q;
}

export function ViolationsView(props: { query: URLSearchParams; mine: boolean }) {
  const lang = useLang();
  const { query } = props;
  const qs = query.toString();
  const list = useApi<ViolationList>(`/v1/violations${qs ? `?${qs}` : ""}`);
  const policies = useApi<PolicyList>("/v1/policies");
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean } | undefined>();
  const [download, setDownload] = useState<{ busy: boolean; error?: unknown }>({ busy: false });

  const rows = [...(list.data?.items ?? [])];
  if (sort) rows.sort((a, b) => (sort.desc ? -1 : 1) * compare(sort.key, a, b));

  const filterQuery = new URLSearchParams(query);
  filterQuery.delete("cursor");

  async function exportAs(format: "csv" | "xlsx") {
    setDownload({ busy: true });
    try {
      await downloadExport(
        "/v1/violations",
        filterQuery,
        format,
        `violations-${dayIn(new Date(), getConfig().timeZone)}`,
      );
      setDownload({ busy: false });
    } catch (error) {
      setDownload({ busy: false, error });
    }
  }

  const header = (key: SortKey, label: MessageKey) => {
    const active = sort?.key === key;
    return (
      <th scope="col" aria-sort={active ? (sort?.desc ? "descending" : "ascending") : "none"}>
        <button
          type="button"
          class="sort"
          aria-label={t("sortBy", { col: t(label) })}
          onClick={() => setSort({ key, desc: active ? !sort?.desc : false })}
        >
          {t(label)} <span aria-hidden="true">{active ? (sort?.desc ? "▼" : "▲") : "↕"}</span>
        </button>
      </th>
    );
  };

  return (
    <>
      <h1>{t("violationsTitle")}</h1>
      {props.mine && <p class="notice">{t("onlyMine")}</p>}
      <Filters key={qs} query={query} policies={policies.data} lang={lang} />
      <div class="toolbar">
        <button type="button" onClick={() => exportAs("csv")} disabled={download.busy}>
          {t("downloadCsv")}
        </button>
        <button type="button" onClick={() => exportAs("xlsx")} disabled={download.busy}>
          {t("downloadXlsx")}
        </button>
        {download.busy && <span role="status">{t("downloading")}</span>}
      </div>
      {download.error !== undefined && <ErrorBox error={download.error} />}
      {list.error !== undefined && <ErrorBox error={list.error} />}
      {list.loading && <Loading />}
      {list.data && (
        <>
          <p role="status">{t("rowsShown", { n: rows.length })}</p>
          <p class="muted">{t("sortNote")}</p>
          {rows.length === 0 ? (
            <p>{t("noViolations")}</p>
          ) : (
            <div class="table-wrap">
              <table>
                <caption class="visually-hidden">{t("violationsTitle")}</caption>
                <thead>
                  <tr>
                    {header("severity", "severity")}
                    {header("status", "status")}
                    {header("rule", "rule")}
                    {header("record", "record")}
                    <th scope="col">{t("message")}</th>
                    <th scope="col">{t("assignees")}</th>
                    {header("dueAt", "due")}
                    {header("detectedAt", "detected")}
                  </tr>
                </thead>
                <tbody>
                  {rows.map((v) => (
                    <tr key={v.id}>
                      <td>
                        <span class={`badge sev-${v.severity}`}>
                          {nameOf(SEVERITY_NAMES, v.severity, lang)}
                        </span>
                      </td>
                      <td>{nameOf(STATUS_NAMES, v.status, lang)}</td>
                      <td>
                        <Link to={`violations/${encodeURIComponent(v.id)}`}>
                          {v.policyId} / {v.ruleId}
                        </Link>
                      </td>
                      <td>
                        {nameOf(RECORD_TYPE_NAMES, v.record.type, lang)} <code>{v.record.id}</code> r
                        {v.record.revision}
                      </td>
                      <td lang={lang === "zh" ? "zh-Hant" : "en"}>{v.message[lang]}</td>
                      <td>{v.assignees.map((a) => `${a.role}: ${a.people.join(", ")}`).join("; ")}</td>
                      <td>
                        <Due dueAt={v.dueAt} active={isActive(v.status)} />
                      </td>
                      <td>
                        <Time iso={v.detectedAt} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <nav class="pager" aria-label={t("violationsTitle")}>
            {query.has("cursor") && (
              <Link to={`violations${filterQuery.toString() ? `?${filterQuery}` : ""}`}>
                {t("firstPage")}
              </Link>
            )}
            {list.data.nextCursor && (
              <Link
                to={`violations?${new URLSearchParams([...filterQuery, ["cursor", list.data.nextCursor]])}`}
              >
                {t("nextPage")}
              </Link>
            )}
          </nav>
        </>
      )}
    </>
  );
}

function Filters(props: { query: URLSearchParams; policies: PolicyList | undefined; lang: Lang }) {
  const { query, policies, lang } = props;
  const policyIds = [...new Set(policies?.items.map((p) => p.id) ?? [])].sort();
  return (
    <form
      class="filters"
      aria-label={t("filters")}
      onSubmit={(e) => {
        e.preventDefault();
        const q = formQuery(e.currentTarget as HTMLFormElement);
        navigate(`violations${q.toString() ? `?${q}` : ""}`);
      }}
    >
      <div class="filter-groups">
        {MULTI.map((m) => {
          const chosen = multiValues(query, m.name);
          return (
            <fieldset key={m.name}>
              <legend>{t(m.label)}</legend>
              {m.values(policies).map((value) => (
                <label key={value} class="check">
                  <input type="checkbox" name={m.name} value={value} defaultChecked={chosen.has(value)} />{" "}
                  {m.names ? nameOf(m.names, value, lang) : value}
                </label>
              ))}
            </fieldset>
          );
        })}
      </div>
      <div class="filter-fields">
        {TEXT.map((f) => (
          <div key={f.name} class="field">
            <label for={`f-${f.name}`}>{t(f.label)}</label>
            <input
              id={`f-${f.name}`}
              name={f.name}
              type="text"
              list={f.list}
              defaultValue={query.get(f.name) ?? ""}
            />
          </div>
        ))}
        {DATES.map((f) => (
          <div key={f.name} class="field">
            <label for={`f-${f.name}`}>{t(f.label)}</label>
            <input
              id={`f-${f.name}`}
              name={f.name}
              type="text"
              placeholder="2026-03-31"
              aria-describedby="date-hint"
              defaultValue={query.get(f.name) ?? ""}
            />
          </div>
        ))}
        <div class="field">
          <label for="f-limit">{t("pageSize")}</label>
          <select id="f-limit" name="limit">
            {LIMITS.map((l) => (
              <option key={l} value={l} selected={l === (query.get("limit") ?? "100")}>
                {l}
              </option>
            ))}
          </select>
        </div>
        <label class="check field">
          <input
            type="checkbox"
            name="overdue"
            value="true"
            defaultChecked={query.get("overdue") === "true"}
          />{" "}
          {t("overdueOnly")}
        </label>
      </div>
      <p class="muted" id="date-hint">
        {t("untilHint")} ({getConfig().timeZone})
      </p>
      <datalist id="policy-ids">
        {policyIds.map((id) => (
          <option key={id} value={id} />
        ))}
      </datalist>
      <div>
        <button type="submit" class="primary">
          {t("apply")}
        </button>{" "}
        <button type="button" onClick={() => navigate("violations")}>
          {t("clear")}
        </button>
      </div>
    </form>
  );
}
