/** A small hand-written SVG bar chart: requests per second per variant, one bar per database. */

export type ChartSeries = {
  name: string;
  color: string;
  values: (number | undefined)[];
  /** A colour per bar instead of `color` (one series of several kinds, e.g. ours and a peer's). */
  colors?: (string | undefined)[];
};

const escape = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function barChart(options: {
  title: string;
  subtitle: string;
  labels: string[];
  series: ChartSeries[];
  /** Text printed after each bar, e.g. latency. */
  annotate?: (seriesIndex: number, labelIndex: number) => string;
  /** Legend entries; by default one per series. */
  legend?: { name: string; color: string }[];
}): string {
  const width = 960;
  const left = 290;
  const right = 190;
  const barHeight = 16;
  const gap = 14;
  const top = 70;
  const groupHeight = options.series.length * barHeight + gap;
  const height = top + options.labels.length * groupHeight + 50;
  const max = Math.max(1, ...options.series.flatMap((s) => s.values.map((v) => v ?? 0)));
  const scale = (width - left - right) / max;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="16" y="26" font-size="17" font-weight="600" fill="#111">${escape(options.title)}</text>`,
    `<text x="16" y="46" fill="#555">${escape(options.subtitle)}</text>`,
  ];
  // Grid lines every "nice" step.
  const step =
    10 ** Math.floor(Math.log10(max)) / (max / 10 ** Math.floor(Math.log10(max)) < 3 ? 2 : 1);
  for (let value = 0; value <= max; value += step) {
    const x = left + value * scale;
    parts.push(
      `<line x1="${x.toFixed(1)}" y1="${top - 8}" x2="${x.toFixed(1)}" y2="${height - 40}" stroke="#e5e5e5"/>`,
      `<text x="${x.toFixed(1)}" y="${height - 26}" text-anchor="middle" fill="#777">${Math.round(value).toLocaleString("en-US")}</text>`,
    );
  }
  parts.push(
    `<text x="${left + (width - left - right) / 2}" y="${height - 8}" text-anchor="middle" fill="#555">requests per second (higher is better)</text>`,
  );
  options.labels.forEach((label, labelIndex) => {
    const y0 = top + labelIndex * groupHeight;
    parts.push(
      `<text x="${left - 10}" y="${y0 + (options.series.length * barHeight) / 2 + 4}" text-anchor="end" fill="#111">${escape(label)}</text>`,
    );
    options.series.forEach((series, seriesIndex) => {
      const value = series.values[labelIndex];
      const y = y0 + seriesIndex * barHeight;
      if (value === undefined) return;
      const w = Math.max(1, value * scale);
      parts.push(
        `<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barHeight - 2}" fill="${series.colors?.[labelIndex] ?? series.color}"/>`,
        `<text x="${(left + w + 6).toFixed(1)}" y="${y + barHeight - 5}" fill="#333">${Math.round(value).toLocaleString("en-US")}${escape(options.annotate ? options.annotate(seriesIndex, labelIndex) : "")}</text>`,
      );
    });
  });
  // Legend.
  (options.legend ?? options.series).forEach((entry, index) => {
    const x = width - right + 20 + 0 * index;
    const y = 20 + index * 18;
    parts.push(
      `<rect x="${x}" y="${y}" width="12" height="12" fill="${entry.color}"/>`,
      `<text x="${x + 18}" y="${y + 10}" fill="#111">${escape(entry.name)}</text>`,
    );
  });
  parts.push("</svg>", "");
  return parts.join("\n");
}
