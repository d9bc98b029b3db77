// Draws every <figure data-chart> (saas/templates/macros/charts.html) with Apache ECharts, served from npm's
// node_modules by /vendor (saas/web/vendor.py). The figure already holds the numbers as a table; this only adds
// the picture: hover or tap shows the values as the page formats them, a click opens the list behind a figure.
// SVG rendering: sharp on paper and at any zoom. If the library cannot load, the table stays.

const lang = document.documentElement.lang || "zh-CN";
const compact = new Intl.NumberFormat(lang, { notation: "compact", maximumFractionDigits: 1 });
const percent = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 0 });

function palette() {
  const brand = getComputedStyle(document.documentElement).getPropertyValue("--brand").trim() || "#2f6f5e";
  return [brand, "#d08c2e", "#4c78a8", "#b4556b", "#7a9a3a", "#8a6bb0", "#3a9a9a", "#9a7a5a"];
}

function axisLabel(spec) {
  if (spec.unit === "percent") return (v) => percent.format(v);
  return (v) => compact.format(v / (spec.scale || 1));
}

// The tooltip is built from the page's own formatted values (no HTML from data: text nodes only).
function tooltipFor(spec) {
  return (params) => {
    const items = Array.isArray(params) ? params : [params];
    const box = document.createElement("div");
    const head = document.createElement("strong");
    head.textContent = items[0].name;
    box.append(head);
    for (const item of items) {
      const serie = spec.series[item.seriesIndex];
      const line = document.createElement("div");
      const shown = serie.shown[item.dataIndex] ?? String(item.value);
      line.textContent = spec.series.length > 1 ? `${serie.name}: ${shown}` : shown;
      box.append(line);
    }
    return box;
  };
}

function options(spec) {
  const colors = palette();
  const base = {
    color: colors,
    animationDuration: 300,
    tooltip: { trigger: ["pie", "funnel"].includes(spec.kind) ? "item" : "axis", formatter: tooltipFor(spec),
      confine: true },
    legend: spec.series.length > 1 || ["pie", "funnel"].includes(spec.kind) ? { bottom: 0, type: "scroll" } : undefined,
    grid: { left: 8, right: 16, top: 16, bottom: spec.series.length > 1 ? 36 : 8, containLabel: true },
  };
  if (spec.kind === "pie" || spec.kind === "funnel") {
    const serie = spec.series[0];
    const data = spec.categories.map((name, i) => ({ name, value: serie.values[i] ?? 0 }));
    return { ...base, series: [spec.kind === "pie"
      ? { type: "pie", radius: ["40%", "70%"], data, label: { formatter: "{b}" } }
      // The names stand to the right of the funnel: room for them, also on a phone's narrow card.
      : { type: "funnel", data, sort: "none", left: "4%", width: "66%", top: 8, bottom: 32, label: { formatter: "{b}" } }] };
  }
  const horizontal = spec.kind === "hbar";
  const category = { type: "category", data: spec.categories, axisLabel: { hideOverlap: true } };
  // A horizontal bar's value axis runs along a narrow card on a phone: fewer, non-overlapping figures.
  const value = { type: "value", splitNumber: horizontal ? 3 : undefined,
    axisLabel: { formatter: axisLabel(spec), hideOverlap: true } };
  return {
    ...base,
    xAxis: horizontal ? value : category,
    yAxis: horizontal ? { ...category, inverse: true } : value,
    series: spec.series.map((s) => ({
      name: s.name,
      type: spec.kind === "line" ? "line" : "bar",
      data: s.values,
      stack: spec.stacked ? "all" : undefined,
      smooth: spec.kind === "line",
      barMaxWidth: 36,
    })),
  };
}

async function draw(figure, echarts) {
  const spec = JSON.parse(figure.querySelector(".chart-spec").textContent);
  const canvas = figure.querySelector(".chart-canvas");
  if (spec.kind === "table") {
    figure.querySelector(".chart-table")?.setAttribute("open", "");
    canvas.remove();
    return;
  }
  canvas.style.height = `${Number(figure.dataset.height) || 280}px`;
  const chart = echarts.init(canvas, null, { renderer: "svg", locale: lang.startsWith("zh") ? "ZH" : "EN" });
  chart.setOption(options(spec));
  chart.on("click", (event) => {
    // A point's own list (a report's second dimension), else its category's.
    const link = spec.point_links?.[event.seriesIndex]?.[event.dataIndex] ?? spec.links?.[event.dataIndex];
    if (link) window.location.assign(link);
  });
  new ResizeObserver(() => chart.resize()).observe(canvas);
  window.addEventListener("beforeprint", () => chart.resize());
  figure.classList.add("chart-drawn");
}

export async function drawCharts(root = document) {
  const figures = [...root.querySelectorAll("figure[data-chart]:not(.chart-drawn)")]
    .filter((f) => f.querySelector(".chart-spec"));
  if (!figures.length) return;
  let echarts;
  try {
    echarts = await import(figures[0].dataset.lib);
  } catch {
    return; // the tables stay
  }
  for (const figure of figures) draw(figure, echarts);
}

// A dashboard's print button (no inline script under the CSP); the print stylesheet keeps each chart whole.
document.querySelector("[data-print]")?.addEventListener("click", () => window.print());

drawCharts();
