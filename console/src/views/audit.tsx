/**
 * The audit trail (auditors): verification runs on opening (ok, or the first bad entry in words),
 * and the trail itself can be read, filtered by subject, actor and time, page by page.
 */
import { ErrorBox, Loading, Section, Time, useApi } from "../components/common.tsx";
import { Link } from "../components/link.tsx";
import { t, useLang } from "../i18n.ts";
import { navigate, queryString } from "../router.ts";
import type { AuditEntryList, AuditVerification } from "../types.ts";
import { AUDIT_PROBLEM_NAMES, nameOf } from "../vocabulary.ts";
import { AuditEntryTable } from "./violation.tsx";

const FILTERS = ["subject", "actor", "from", "to"] as const;

export function AuditView(props: { query: URLSearchParams }) {
  const lang = useLang();
  const verify = useApi<AuditVerification>("/v1/audit/verify");
  const qs = props.query.toString();
  const entries = useApi<AuditEntryList>(`/v1/audit/entries${qs ? `?${qs}` : ""}`);
  const v = verify.data;
  const filterQuery = new URLSearchParams(props.query);
  filterQuery.delete("cursor");
  return (
    <>
      <h1>{t("auditTitle")}</h1>
      <div class="card" aria-live="polite">
        {verify.loading && <p role="status">{t("verifying")}</p>}
        {verify.error !== undefined && <ErrorBox error={verify.error} />}
        {v && !verify.loading && v.ok && (
          <p class="ok big" data-testid="audit-result">
            <span aria-hidden="true">✓ </span>
            {t("auditOk", { n: v.entries })}
            {v.lastDigest && (
              <>
                {" "}
                {t("auditDigest", { seq: v.lastDigest.seq, at: "" })}
                <Time iso={v.lastDigest.at} />
              </>
            )}
          </p>
        )}
        {v && !verify.loading && !v.ok && (
          <div class="bad big" data-testid="audit-result" role="alert">
            <p>
              <span aria-hidden="true">✗ </span>
              {t("auditBad")}
            </p>
            {v.firstBad && (
              <p>
                {t("auditBadEntry", {
                  chain: String(v.firstBad.chain),
                  seq: v.firstBad.seq,
                  kind: nameOf(AUDIT_PROBLEM_NAMES, v.firstBad.kind, lang),
                })}
              </p>
            )}
          </div>
        )}
        <button type="button" onClick={verify.reload} disabled={verify.loading}>
          {t("verify")}
        </button>
      </div>
      <Section id="entries" title={t("entries")}>
        <form
          class="inline"
          aria-label={t("filters")}
          onSubmit={(e) => {
            e.preventDefault();
            const data = new FormData(e.currentTarget as HTMLFormElement);
            const params = Object.fromEntries(FILTERS.map((f) => [f, String(data.get(f) ?? "").trim()]));
            navigate(`audit${queryString(params)}`);
          }}
        >
          {FILTERS.map((f) => (
            <span key={f}>
              <label for={`a-${f}`}>{t(f)}</label>
              <input
                id={`a-${f}`}
                name={f}
                type="text"
                defaultValue={props.query.get(f) ?? ""}
                key={`${f}${qs}`}
              />
            </span>
          ))}
          <button type="submit">{t("apply")}</button>
        </form>
        {entries.error !== undefined && <ErrorBox error={entries.error} />}
        {entries.loading && <Loading />}
        {entries.data && <AuditEntryTable items={entries.data.items} />}
        <nav class="pager" aria-label={t("entries")}>
          {props.query.has("cursor") && (
            <Link to={`audit${filterQuery.size ? `?${filterQuery}` : ""}`}>{t("firstPage")}</Link>
          )}
          {entries.data?.nextCursor && (
            <Link to={`audit?${new URLSearchParams([...filterQuery, ["cursor", entries.data.nextCursor]])}`}>
              {t("nextPage")}
            </Link>
          )}
        </nav>
      </Section>
    </>
  );
}
