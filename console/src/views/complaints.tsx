/**
 * The complaint report for a quarter (auditors): pick the year and quarter; the URL holds the API's
 * own `from`/`to` (dates in the company's time zone, CONTRACT §8), so any period can be linked.
 */
import { useState } from "preact/hooks";
import { ErrorBox, Loading, Time, useApi } from "../components/common.tsx";
import { downloadExport } from "../components/download.ts";
import { dayIn, quarterDays } from "../format.ts";
import { t, useLang } from "../i18n.ts";
import { navigate, queryString } from "../router.ts";
import { getConfig } from "../session.ts";
import type { ComplaintReport } from "../types.ts";
import { COMPLAINT_CATEGORY_NAMES, nameOf } from "../vocabulary.ts";

function currentQuarter(): { year: number; quarter: 1 | 2 | 3 | 4 } {
  const [y, m] = dayIn(new Date(), getConfig().timeZone).split("-").map(Number) as [number, number];
  return { year: y, quarter: (Math.floor((m - 1) / 3) + 1) as 1 | 2 | 3 | 4 };
}

function quarterOf(from: string, to: string): { year: number; quarter: 1 | 2 | 3 | 4 } | undefined {
  const m = /^(\d{4})-(\d{2})-01$/.exec(from);
  if (!m) return undefined;
  const q = (Math.floor((Number(m[2]) - 1) / 3) + 1) as 1 | 2 | 3 | 4;
  const days = quarterDays(Number(m[1]), q);
  return days.from === from && days.to === to ? { year: Number(m[1]), quarter: q } : undefined;
}

export function ComplaintsView(props: { query: URLSearchParams }) {
  const lang = useLang();
  let from = props.query.get("from") ?? "";
  let to = props.query.get("to") ?? "";
  if (!from || !to) ({ from, to } = quarterDays(currentQuarter().year, currentQuarter().quarter));
  const picked = quarterOf(from, to);
  const report = useApi<ComplaintReport>(`/v1/reports/complaints${queryString({ from, to })}`);
  const [download, setDownload] = useState<unknown>();
  const thisYear = currentQuarter().year;
  const years = Array.from({ length: 6 }, (_, i) => thisYear - 4 + i);

  return (
    <>
      <h1>{t("complaintsTitle")}</h1>
      <form
        class="inline"
        aria-label={t("pickQuarter")}
        onSubmit={(e) => {
          e.preventDefault();
          const data = new FormData(e.currentTarget as HTMLFormElement);
          const days = quarterDays(Number(data.get("year")), Number(data.get("quarter")) as 1 | 2 | 3 | 4);
          navigate(`complaints${queryString(days)}`);
        }}
      >
        <label for="c-year">{t("year")}</label>
        <select id="c-year" name="year" key={`y${from}`}>
          {years.map((y) => (
            <option key={y} value={y} selected={y === (picked?.year ?? thisYear)}>
              {y}
            </option>
          ))}
        </select>
        <label for="c-quarter">{t("quarter")}</label>
        <select id="c-quarter" name="quarter" key={`q${from}`}>
          {[1, 2, 3, 4].map((q) => (
            <option key={q} value={q} selected={q === (picked?.quarter ?? 1)}>
              Q{q}
            </option>
          ))}
        </select>
        <button type="submit">{t("show")}</button>
      </form>
      <p>
        {t("from")} <strong>{from}</strong> {t("to")} <strong>{to}</strong> ({getConfig().timeZone})
      </p>
      {report.error !== undefined && <ErrorBox error={report.error} />}
      {report.loading && <Loading />}
      {report.data && (
        <>
          <table class="narrow-table">
            <caption>{t("complaintsTitle")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("category")}</th>
                <th scope="col">{t("count")}</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(report.data.counts).map(([category, n]) => (
                <tr key={category}>
                  <th scope="row">{nameOf(COMPLAINT_CATEGORY_NAMES, category, lang)}</th>
                  <td class="num">{n}</td>
                </tr>
              ))}
              <tr>
                <th scope="row">{t("total")}</th>
                <td class="num">
                  <strong>{report.data.total}</strong>
                </td>
              </tr>
            </tbody>
          </table>
          <p class="big">
            {t("deduction")}: <strong data-testid="deduction">{report.data.deduction}</strong>
          </p>
          <div class="toolbar">
            <button
              type="button"
              onClick={() =>
                downloadExport(
                  "/v1/reports/complaints",
                  new URLSearchParams({ from, to }),
                  "csv",
                  `complaints-${from}-${to}`,
                ).catch(setDownload)
              }
            >
              {t("downloadCsv")}
            </button>
          </div>
          {download !== undefined && <ErrorBox error={download} />}
          {report.data.items && (
            <>
              <h2>{t("counted")}</h2>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t("complaintId")}</th>
                    <th scope="col">{t("category")}</th>
                    <th scope="col">{t("receivedAt")}</th>
                  </tr>
                </thead>
                <tbody>
                  {report.data.items.map((item) => (
                    <tr key={`${item.type}/${item.id}`}>
                      <td>
                        <code>{item.id}</code>
                      </td>
                      <td>{nameOf(COMPLAINT_CATEGORY_NAMES, item.category, lang)}</td>
                      <td>
                        <Time iso={item.receivedAt} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </>
      )}
    </>
  );
}
