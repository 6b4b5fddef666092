/**
 * One violation: what and why (message, evidence, source), who and by when (assignees, due,
 * escalation), its whole history, the actions the signed-in person may take; for auditors also the
 * record's revisions with a diff between two, the violation's audit entries, and the explanation of
 * its rule for the stored revision (a dry run with `?explain=true`, storing nothing).
 */
import { useEffect, useState } from "preact/hooks";
import { getJson, postJson } from "../api.ts";
import { Actions } from "../components/actions.tsx";
import { Due, ErrorBox, Loading, Section, Time, useApi } from "../components/common.tsx";
import { ExplanationTree } from "../components/explanation.tsx";
import { Link } from "../components/link.tsx";
import { diff } from "../diff.ts";
import { shortValue } from "../format.ts";
import { t, useLang } from "../i18n.ts";
import { isActive } from "../queue-order.ts";
import { isAuditor, type Session } from "../session.ts";
import type {
  AuditEntryList,
  ExplainedEvaluation,
  RecordEnvelope,
  RecordRevision,
  RecordWithRevisions,
  Violation,
} from "../types.ts";
import { AREA_NAMES, nameOf, RECORD_TYPE_NAMES, SEVERITY_NAMES, STATUS_NAMES } from "../vocabulary.ts";

export function ViolationView(props: { id: string; session: Session }) {
  const lang = useLang();
  const loaded = useApi<Violation>(`/v1/violations/${encodeURIComponent(props.id)}`);
  const [updated, setUpdated] = useState<Violation | undefined>();
  const v = updated ?? loaded.data;
  const auditor = isAuditor(props.session);
  return (
    <>
      <h1>
        {t("violationTitle")}: {v ? `${v.policyId} / ${v.ruleId}` : props.id}
      </h1>
      <p>
        {auditor ? <Link to="violations">{t("backToList")}</Link> : <Link to="queue">{t("navQueue")}</Link>}
      </p>
      {loaded.error !== undefined && <ErrorBox error={loaded.error} />}
      {!v && loaded.loading && <Loading />}
      {v && (
        <>
          <div class="card">
            <p lang="zh-Hant" class="message">
              {v.message.zh}
            </p>
            <p lang="en" class="message">
              {v.message.en}
            </p>
            <dl class="facts">
              <dt>{t("status")}</dt>
              <dd>{nameOf(STATUS_NAMES, v.status, lang)}</dd>
              <dt>{t("severity")}</dt>
              <dd>
                <span class={`badge sev-${v.severity}`}>{nameOf(SEVERITY_NAMES, v.severity, lang)}</span>
              </dd>
              <dt>{t("area")}</dt>
              <dd>{nameOf(AREA_NAMES, v.area, lang)}</dd>
              <dt>{t("policyId")}</dt>
              <dd>
                {auditor ? (
                  <Link to={`policies/${encodeURIComponent(v.policyId)}/${v.policyVersion}`}>
                    {t("policyVersion", { id: v.policyId, v: v.policyVersion })}
                  </Link>
                ) : (
                  t("policyVersion", { id: v.policyId, v: v.policyVersion })
                )}
              </dd>
              <dt>{t("record")}</dt>
              <dd>
                {nameOf(RECORD_TYPE_NAMES, v.record.type, lang)} <code>{v.record.id}</code> ({t("revision")}{" "}
                {v.record.revision})
              </dd>
              <dt>{t("assignees")}</dt>
              <dd>
                <ul class="plain">
                  {v.assignees.map((a) => (
                    <li key={a.role}>
                      <strong>{a.role}</strong>: {a.people.join(", ")}
                    </li>
                  ))}
                </ul>
              </dd>
              <dt>{t("due")}</dt>
              <dd>
                <Due dueAt={v.dueAt} active={isActive(v.status)} />
              </dd>
              <dt>{t("escalation")}</dt>
              <dd>{v.escalationLevel}</dd>
              {v.waivedUntil && (
                <>
                  <dt>{t("waivedUntil")}</dt>
                  <dd>
                    <Time iso={v.waivedUntil} />
                  </dd>
                </>
              )}
              <dt>{t("detected")}</dt>
              <dd>
                <Time iso={v.detectedAt} />
              </dd>
              {v.resolvedAt && (
                <>
                  <dt>{t("resolved")}</dt>
                  <dd>
                    <Time iso={v.resolvedAt} />
                  </dd>
                </>
              )}
              <dt>{t("source")}</dt>
              <dd>{v.source.map((s) => `${s.document} ${s.clause}`).join("; ")}</dd>
            </dl>
          </div>
          {props.session.kind === "person" && (
            <Section id="actions" title={t("actions")}>
              <Actions violation={v} onDone={setUpdated} />
            </Section>
          )}
          <Section id="evidence" title={t("evidence")}>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("path")}</th>
                  <th scope="col">{t("value")}</th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(v.evidence).map(([k, value]) => (
                  <tr key={k}>
                    <th scope="row">
                      <code>{k}</code>
                    </th>
                    <td>
                      <code>{shortValue(value)}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Section>
          <Section id="history" title={t("history")}>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("at")}</th>
                  <th scope="col">{t("status")}</th>
                  <th scope="col">{t("by")}</th>
                  <th scope="col">{t("reason")}</th>
                </tr>
              </thead>
              <tbody>
                {v.history.map((h, i) => (
                  <tr key={i}>
                    <td>
                      <Time iso={h.at} />
                    </td>
                    <td>{nameOf(STATUS_NAMES, h.status, lang)}</td>
                    <td>{h.by}</td>
                    <td>{h.reason ?? "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Section>
          {auditor && (
            <>
              <Revisions violation={v} />
              <AuditEntries subject={v.id} />
              <Explanation violation={v} />
            </>
          )}
        </>
      )}
    </>
  );
}

function recordPath(v: Violation): string {
  return `/v1/records/${v.record.type}/${encodeURIComponent(v.record.id)}`;
}

function revisionPath(v: Violation, n: number): string {
  return `${recordPath(v)}/revisions/${n}`;
}

/**
 * The record as it was at the violation's revision: the record itself when that revision is still
 * the latest (the usual case, one request fewer), else that revision.
 */
async function recordAtRevision(v: Violation): Promise<RecordEnvelope> {
  const latest = await getJson<RecordWithRevisions>(recordPath(v));
  if (latest.record.revision === v.record.revision) return latest.record;
  return (await getJson<RecordRevision>(revisionPath(v, v.record.revision))).record;
}

function Revisions(props: { violation: Violation }) {
  const v = props.violation;
  const record = useApi<RecordWithRevisions>(recordPath(v));
  const revisions = record.data?.revisions ?? [];
  const [pair, setPair] = useState<{ from: string; to: string }>({ from: "", to: "" });
  const [result, setResult] = useState<{ from: RecordRevision; to: RecordRevision } | undefined>();
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    if (revisions.length > 0 && !pair.to) {
      const last = revisions[revisions.length - 1] as number;
      const before = revisions.length > 1 ? (revisions[revisions.length - 2] as number) : last;
      setPair({ from: String(before), to: String(last) });
    }
  }, [revisions, pair.to]);

  async function compare(event: Event) {
    event.preventDefault();
    setError(undefined);
    try {
      const [from, to] = await Promise.all([
        getJson<RecordRevision>(revisionPath(v, Number(pair.from))),
        getJson<RecordRevision>(revisionPath(v, Number(pair.to))),
      ]);
      setResult({ from, to });
    } catch (e) {
      setError(e);
    }
  }

  const changes = result ? diff(result.from.record, result.to.record) : [];
  return (
    <Section id="revisions" title={t("revisions")}>
      {record.error !== undefined && <ErrorBox error={record.error} />}
      {record.data && (
        <>
          <p>
            {t("revisions")}: {revisions.join(", ")}
          </p>
          <form class="inline" onSubmit={compare} aria-label={t("compare")}>
            <label for="rev-from">{t("compareFrom")}</label>
            <select
              id="rev-from"
              value={pair.from}
              onChange={(e) => setPair({ ...pair, from: (e.target as HTMLSelectElement).value })}
            >
              {revisions.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
            <label for="rev-to">{t("compareTo")}</label>
            <select
              id="rev-to"
              value={pair.to}
              onChange={(e) => setPair({ ...pair, to: (e.target as HTMLSelectElement).value })}
            >
              {revisions.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
            <button type="submit">{t("showDiff")}</button>
          </form>
        </>
      )}
      {error !== undefined && <ErrorBox error={error} />}
      {result && (
        <>
          <p class="muted">
            {t("revision")} {result.from.record.revision}: {t("receivedAt")}{" "}
            <Time iso={result.from.receivedAt} />, {t("clientId")} {result.from.clientId}. {t("revision")}{" "}
            {result.to.record.revision}: {t("receivedAt")} <Time iso={result.to.receivedAt} />,{" "}
            {t("clientId")} {result.to.clientId}.
          </p>
          {changes.length === 0 ? (
            <p role="status">{t("noDifferences")}</p>
          ) : (
            <table class="diff">
              <thead>
                <tr>
                  <th scope="col">{t("path")}</th>
                  <th scope="col">{t("kind")}</th>
                  <th scope="col">{t("before")}</th>
                  <th scope="col">{t("after")}</th>
                </tr>
              </thead>
              <tbody>
                {changes.map((c) => (
                  <tr key={c.path} class={`diff-${c.kind}`}>
                    <th scope="row">
                      <code>{c.path}</code>
                    </th>
                    <td>{t(c.kind)}</td>
                    <td>
                      <code>{c.kind === "added" ? "" : shortValue(c.before)}</code>
                    </td>
                    <td>
                      <code>{c.kind === "removed" ? "" : shortValue(c.after)}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </Section>
  );
}

export function AuditEntryTable(props: { items: AuditEntryList["items"] }) {
  if (props.items.length === 0) return <p>{t("noEntries")}</p>;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">{t("at")}</th>
          <th scope="col">{t("kind")}</th>
          <th scope="col">{t("subject")}</th>
          <th scope="col">{t("actor")}</th>
        </tr>
      </thead>
      <tbody>
        {props.items.map((e, i) => (
          <tr key={i}>
            <td>
              <Time iso={e.at} />
            </td>
            <td>{e.kind}</td>
            <td>
              <code>{e.subject}</code>
            </td>
            <td>{e.actor}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function AuditEntries(props: { subject: string }) {
  const entries = useApi<AuditEntryList>(
    `/v1/audit/entries?subject=${encodeURIComponent(props.subject)}&limit=200`,
  );
  return (
    <Section id="audit-entries" title={t("auditEntries")}>
      {entries.error !== undefined && <ErrorBox error={entries.error} />}
      {entries.loading && <Loading />}
      {entries.data && <AuditEntryTable items={entries.data.items} />}
      {entries.data?.nextCursor && (
        <p>
          <Link to={`audit?subject=${encodeURIComponent(props.subject)}`}>{t("navAudit")} →</Link>
        </p>
      )}
    </Section>
  );
}

function Explanation(props: { violation: Violation }) {
  const v = props.violation;
  const [state, setState] = useState<{ error?: unknown; data?: ExplainedEvaluation; at?: string }>({});
  useEffect(() => {
    const at = v.updatedAt;
    recordAtRevision(v)
      .then((record) =>
        postJson<ExplainedEvaluation>(`/v1/evaluate?explain=true&at=${encodeURIComponent(at)}`, record),
      )
      .then((data) => setState({ data, at }))
      .catch((error) => setState({ error }));
  }, [v]);
  const rule = state.data?.policies.find((p) => p.id === v.policyId)?.rules?.find((r) => r.id === v.ruleId);
  return (
    <Section id="explanation" title={t("explanation")}>
      {state.error !== undefined && <ErrorBox error={state.error} />}
      {!state.data && state.error === undefined && <Loading />}
      {state.data && state.at && (
        <p>
          {t("explanationAt", { rule: v.ruleId, rev: v.record.revision, at: "" })}
          <Time iso={state.at} />: <strong>{rule?.fired ? t("fired") : t("notFired")}</strong>
        </p>
      )}
      {rule && <ExplanationTree node={rule.explanation} />}
    </Section>
  );
}
