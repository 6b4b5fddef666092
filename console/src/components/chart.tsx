/**
 * A chart.js chart whose bars lead to the list they count: clicking a bar opens it, and the same
 * links are listed under the chart with their numbers (for keyboards and screen readers, which
 * cannot use a canvas). Only the chart.js parts used are registered, to keep the bundle small.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from "chart.js";
import { useEffect, useRef } from "preact/hooks";
import { t } from "../i18n.ts";
import { navigate } from "../router.ts";
import { Link } from "./link.tsx";

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Legend,
  Tooltip,
);

export interface Series {
  label: string;
  values: number[];
  color: string;
  /** per point: the console URL of the list it counts */
  links: (string | undefined)[];
}

export function BarChart(props: {
  id: string;
  title: string;
  labels: string[];
  series: Series[];
  horizontal?: boolean;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const { labels, series } = props;
  useEffect(() => {
    if (!canvas.current) return;
    const config: ChartConfiguration<"bar"> = {
      type: "bar",
      data: {
        labels,
        datasets: series.map((s) => ({ label: s.label, data: s.values, backgroundColor: s.color })),
      },
      options: {
        indexAxis: props.horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: series.length > 1 } },
        onClick: (_event, elements) => {
          const hit = elements[0];
          const link = hit ? series[hit.datasetIndex]?.links[hit.index] : undefined;
          if (link) navigate(link);
        },
        onHover: (event, elements) => {
          const target = event.native?.target as HTMLElement | undefined;
          if (target) target.style.cursor = elements.length ? "pointer" : "default";
        },
      },
    };
    const chart = new Chart(canvas.current, config);
    return () => chart.destroy();
  }, [labels, series, props.horizontal]);

  return (
    <figure class="chart" aria-labelledby={`${props.id}-title`}>
      <figcaption id={`${props.id}-title`}>
        <h2>{props.title}</h2>
      </figcaption>
      <div class="chart-box">
        <canvas ref={canvas} role="img" aria-label={props.title} />
      </div>
      <details>
        <summary>{t("chartLinks")}</summary>
        <ul class="chart-links">
          {series.flatMap((s) =>
            labels.map((label, i) => {
              const link = s.links[i];
              const text = `${series.length > 1 ? `${s.label} · ` : ""}${label}: ${s.values[i]}`;
              return <li key={`${s.label}-${label}`}>{link ? <Link to={link}>{text}</Link> : text}</li>;
            }),
          )}
        </ul>
      </details>
    </figure>
  );
}
