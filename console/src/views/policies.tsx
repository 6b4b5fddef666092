/**
 * Policies (auditors): every loaded version and when it is in force (from its effectiveFrom until
 * the next version's), and one version's rules in words (GET /v1/policies/{id}/versions/{n}).
 */
import { Fragment } from "preact";
import { ErrorBox, Loading, Section, useApi } from "../components/common.tsx";
import { Link } from "../components/link.tsx";
import { shortValue } from "../format.ts";
import { t, useLang } from "../i18n.ts";
import type { PolicyList, PolicyListItem, PolicyVersionDetail } from "../types.ts";
import { AREA_NAMES, nameOf, RECORD_TYPE_NAMES, SEVERITY_NAMES } from "../vocabulary.ts";

interface Period {
  item: PolicyListItem;
  until: string | undefined;
  state: "inForceNow" | "future" | "superseded";
}

/** Each version's period: in force from its effectiveFrom until the next version's. */
export function periods(items: readonly PolicyListItem[], now: number): Map<string, Period[]> {
  const byId = new Map<string, PolicyListItem[]>();
  for (const item of items) byId.set(item.id, [...(byId.get(item.id) ?? []), item]);
  const out = new Map<string, Period[]>();
  for (const [id, versions] of [...byId].sort(([a], [b]) => a.localeCompare(b))) {
    const sorted = [...versions].sort((a, b) => a.version - b.version);
    out.set(
      id,
      sorted.map((item, i) => {
        const until = sorted[i + 1]?.effectiveFrom;
        const started = Date.parse(item.effectiveFrom) <= now;
        const ended = until !== undefined && Date.parse(until) <= now;
        return { item, until, state: !started ? "future" : ended ? "superseded" : "inForceNow" };
      }),
    );
  }
  return out;
}

const day = (iso: string) => iso.slice(0, 10);

export function PoliciesView() {
  const lang = useLang();
  const list = useApi<PolicyList>("/v1/policies");
  const grouped = list.data ? periods(list.data.items, Date.now()) : undefined;
  return (
    <>
      <h1>{t("policiesTitle")}</h1>
      <p>
        <Link to="dry-run">{t("dryRunTitle")}</Link>
      </p>
      {list.error !== undefined && <ErrorBox error={list.error} />}
      {list.loading && <Loading />}
      {grouped &&
        [...grouped].map(([id, versions]) => (
          <Section key={id} id={`policy-${id}`} title={id}>
            <p class="muted">
              {t("area")}: {nameOf(AREA_NAMES, versions[0]?.item.area ?? "", lang)} · {t("appliesTo")}:{" "}
              {nameOf(RECORD_TYPE_NAMES, versions[0]?.item.appliesTo ?? "", lang)}
            </p>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("version")}</th>
                  <th scope="col">{t("effectiveFrom")}</th>
                  <th scope="col">{t("status")}</th>
                  <th scope="col">{t("sha")}</th>
                </tr>
              </thead>
              <tbody>
                {versions.map(({ item, until, state }) => (
                  <tr key={item.version}>
                    <td>
                      <Link to={`policies/${encodeURIComponent(id)}/${item.version}`}>
                        {t("policyVersion", { id, v: item.version })}
                      </Link>
                    </td>
                    <td>
                      {day(item.effectiveFrom)}
                      {until ? ` ${t("inForceUntil")} ${day(until)}` : ""}
                    </td>
                    <td>{t(state)}</td>
                    <td>
                      <code class="hash">{item.sha256.slice(0, 12)}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Section>
        ))}
    </>
  );
}

export function PolicyVersionView(props: { id: string; version: string }) {
  const lang = useLang();
  const detail = useApi<PolicyVersionDetail>(
    `/v1/policies/${encodeURIComponent(props.id)}/versions/${encodeURIComponent(props.version)}`,
  );
  const p = detail.data;
  return (
    <>
      <h1>{t("policyVersion", { id: props.id, v: props.version })}</h1>
      <p>
        <Link to="policies">{t("policiesTitle")}</Link>
      </p>
      {detail.error !== undefined && <ErrorBox error={detail.error} />}
      {detail.loading && <Loading />}
      {p && (
        <>
          {p.title && <p class="big">{p.title[lang]}</p>}
          <p>
            {t("effectiveFrom")}: {day(p.effectiveFrom)} · {t("area")}: {nameOf(AREA_NAMES, p.area, lang)} ·{" "}
            {t("appliesTo")}: {nameOf(RECORD_TYPE_NAMES, p.appliesTo, lang)}
          </p>
          {p.parameters && Object.keys(p.parameters).length > 0 && (
            <Section id="parameters" title={t("parameters")}>
              <dl class="facts">
                {Object.entries(p.parameters).map(([name, value]) => (
                  <Fragment key={name}>
                    <dt>
                      <code>{name}</code>
                    </dt>
                    <dd>
                      <code>{shortValue(value)}</code>
                    </dd>
                  </Fragment>
                ))}
              </dl>
            </Section>
          )}
          <Section id="rules" title={t("rules")}>
            {p.rules.map((rule) => (
              <article key={rule.id} class="card" aria-labelledby={`rule-${rule.id}`}>
                <h3 id={`rule-${rule.id}`}>
                  <span class={`badge sev-${rule.severity}`}>
                    {nameOf(SEVERITY_NAMES, rule.severity, lang)}
                  </span>{" "}
                  {rule.id}
                </h3>
                <p>
                  <strong>{t("condition")}:</strong>{" "}
                  <span lang={lang === "zh" ? "zh-Hant" : "en"}>{rule.words[lang]}</span>
                </p>
                <p>
                  {t("assign")}: {rule.assign.join(", ")} · {t("due")}: <code>{rule.due}</code>
                  {rule.escalate?.length ? ` · ${t("escalate")}: ${rule.escalate.join(" → ")}` : ""}
                </p>
                {rule.message && (
                  <p class="muted" lang={lang === "zh" ? "zh-Hant" : "en"}>
                    {rule.message[lang]}
                  </p>
                )}
              </article>
            ))}
          </Section>
        </>
      )}
    </>
  );
}
