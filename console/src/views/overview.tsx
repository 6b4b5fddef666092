/**
 * The overview (auditors): GET /v1/stats as charts read at a glance — open violations by area and by
 * severity, opened vs resolved per week, open by role with the overdue total, mean time to resolve
 * per policy — each bar leading to the violation list it counts.
 */
import { useMemo } from "preact/hooks";
import { BarChart, type Series } from "../components/chart.tsx";
import { ErrorBox, Loading, useApi } from "../components/common.tsx";
import { Link } from "../components/link.tsx";
import { isoWeekDays } from "../format.ts";
import { t, useLang } from "../i18n.ts";
import { navigate, queryString } from "../router.ts";
import type { Stats } from "../types.ts";
import { AREA_NAMES, nameOf, SEVERITIES, SEVERITY_NAMES } from "../vocabulary.ts";

const COLORS = { blue: "#1f5fa8", green: "#2e7d32", orange: "#b35c00", red: "#b3261e", purple: "#6a3d9a" };

function list(params: Record<string, string | undefined>): string {
  return `violations${queryString(params)}`;
}

export function OverviewView(props: { query: URLSearchParams; mine: boolean }) {
  const lang = useLang();
  const from = props.query.get("from") ?? "";
  const to = props.query.get("to") ?? "";
  const stats = useApi<Stats>(`/v1/stats${queryString({ from, to })}`);
  const s = stats.data;

  const charts = useMemo(() => {
    if (!s) return undefined;
    const areas = Object.keys(s.open.byArea).sort();
    const severities = SEVERITIES.filter((x) => x in s.open.bySeverity);
    const roles = Object.keys(s.open.byRole).sort();
    const policies = Object.keys(s.meanHoursToResolve).sort();
    const byArea: Series[] = [
      {
        label: t("count"),
        values: areas.map((a) => s.open.byArea[a] ?? 0),
        color: COLORS.blue,
        links: areas.map((area) => list({ status: "open", area })),
      },
    ];
    const bySeverity: Series[] = [
      {
        label: t("count"),
        values: severities.map((x) => s.open.bySeverity[x] ?? 0),
        color: COLORS.red,
        links: severities.map((severity) => list({ status: "open", severity })),
      },
    ];
    const weeks = s.weeks.map((w) => w.week);
    const perWeek: Series[] = [
      {
        label: t("opened"),
        values: s.weeks.map((w) => w.opened),
        color: COLORS.orange,
        links: s.weeks.map((w) => {
          const d = isoWeekDays(w.week);
          return d && list({ from: d.from, to: d.to });
        }),
      },
      {
        label: t("resolvedSeries"),
        values: s.weeks.map((w) => w.resolved),
        color: COLORS.green,
        links: s.weeks.map((w) => {
          const d = isoWeekDays(w.week);
          return d && list({ status: "resolved", resolvedFrom: d.from, resolvedTo: d.to });
        }),
      },
    ];
    const byRole: Series[] = [
      {
        label: t("count"),
        values: roles.map((r) => s.open.byRole[r] ?? 0),
        color: COLORS.purple,
        links: roles.map((assigneeRole) => list({ status: "open", assigneeRole })),
      },
    ];
    const meanTime: Series[] = [
      {
        label: t("hours"),
        values: policies.map((p) => Math.round((s.meanHoursToResolve[p] ?? 0) * 10) / 10),
        color: COLORS.blue,
        links: policies.map((policyId) => list({ status: "resolved", policyId })),
      },
    ];
    return {
      areaLabels: areas.map((a) => nameOf(AREA_NAMES, a, lang)),
      severityLabels: severities.map((x) => nameOf(SEVERITY_NAMES, x, lang)),
      byArea,
      bySeverity,
      weeks,
      perWeek,
      roles,
      byRole,
      policies,
      meanTime,
    };
    // the labels are words: they change with the language
  }, [s, lang]);

  return (
    <>
      <h1>{t("overviewTitle")}</h1>
      {props.mine && <p class="notice">{t("onlyMine")}</p>}
      <form
        class="inline"
        aria-label={t("perWeek")}
        onSubmit={(e) => {
          e.preventDefault();
          const data = new FormData(e.currentTarget as HTMLFormElement);
          navigate(
            `overview${queryString({ from: String(data.get("from") ?? ""), to: String(data.get("to") ?? "") })}`,
          );
        }}
      >
        <label for="ov-from">{t("from")}</label>
        <input
          id="ov-from"
          name="from"
          type="text"
          placeholder="2026-01-01"
          defaultValue={from}
          key={`f${from}`}
        />
        <label for="ov-to">{t("to")}</label>
        <input id="ov-to" name="to" type="text" placeholder="2026-03-31" defaultValue={to} key={`t${to}`} />
        <button type="submit">{t("show")}</button>
      </form>
      {stats.error !== undefined && <ErrorBox error={stats.error} />}
      {stats.loading && !s && <Loading />}
      {s && charts && (
        <>
          <p class="big">
            <Link to={list({ overdue: "true" })}>{t("overdueTotal", { n: s.overdue })}</Link>
          </p>
          <div class="charts">
            <BarChart
              id="by-area"
              title={t("openByArea")}
              labels={charts.areaLabels}
              series={charts.byArea}
            />
            <BarChart
              id="by-severity"
              title={t("openBySeverity")}
              labels={charts.severityLabels}
              series={charts.bySeverity}
            />
            <BarChart id="per-week" title={t("perWeek")} labels={charts.weeks} series={charts.perWeek} />
            <BarChart
              id="by-role"
              title={t("openByRole")}
              labels={charts.roles}
              series={charts.byRole}
              horizontal
            />
            <BarChart
              id="mean-time"
              title={t("meanTime")}
              labels={charts.policies}
              series={charts.meanTime}
              horizontal
            />
          </div>
        </>
      )}
    </>
  );
}
