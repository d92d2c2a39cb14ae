/**
 * A small SVG writer for grouped horizontal bar charts: one row group per label, one bar per series inside it,
 * on a linear or a log scale (bench figures span 0.1 µs to tens of ms, which only a log axis shows together).
 * No dependency: the chart is a few dozen elements, and every piece of text is escaped here.
 */

export interface BarGroup {
  label: string;
  /** One value per series, in series order; null leaves that bar out. */
  values: (number | null)[];
}

export interface BarChart {
  title: string;
  unit: string;
  scale: 'linear' | 'log';
  series: string[];
  groups: BarGroup[];
}

const WIDTH = 960;
const BAR = 12;
const BAR_GAP = 2;
const GROUP_GAP = 10;
const TOP = 56;
const BOTTOM = 36;
const RIGHT = 90;
const CHAR_PX = 6.6;
// Okabe-Ito: distinguishable with the common colour-vision deficiencies.
const COLORS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

export function formatNumber(v: number): string {
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v === 0 ? '0' : v.toPrecision(2);
}

const formatTick = (v: number): string => v.toLocaleString('en-US', { maximumSignificantDigits: 3 });

interface Axis {
  position(v: number): number;
  ticks: number[];
}

function linearAxis(max: number, span: number): Axis {
  const top = max > 0 ? max : 1;
  const step0 = top / 5;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0)!;
  const end = Math.ceil(top / step) * step;
  const ticks = Array.from({ length: Math.round(end / step) + 1 }, (_, i) => i * step);
  return { position: (v) => (Math.max(0, v) / end) * span, ticks };
}

function logAxis(min: number, max: number, span: number): Axis {
  const lo = Math.floor(Math.log10(min));
  const hi = Math.max(Math.ceil(Math.log10(max)), lo + 1);
  const ticks = Array.from({ length: hi - lo + 1 }, (_, i) => 10 ** (lo + i));
  const position = (v: number): number => (v <= 0 ? 0 : ((Math.log10(v) - lo) / (hi - lo)) * span);
  return { position, ticks };
}

export function barChartSvg(chart: BarChart): string {
  const values = chart.groups.flatMap((g) => g.values).filter((v): v is number => v !== null && Number.isFinite(v));
  const positive = values.filter((v) => v > 0);
  const left = Math.min(360, 16 + CHAR_PX * Math.max(8, ...chart.groups.map((g) => g.label.length)));
  const span = WIDTH - left - RIGHT;
  const axis =
    chart.scale === 'log' && positive.length > 0
      ? logAxis(Math.min(...positive), Math.max(...positive), span)
      : linearAxis(Math.max(0, ...values), span);
  const groupHeight = chart.series.length * (BAR + BAR_GAP) - BAR_GAP;
  const plotHeight = chart.groups.length * (groupHeight + GROUP_GAP);
  const height = TOP + plotHeight + BOTTOM;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="11">`,
    `<title>${escapeXml(chart.title)}</title>`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="${left}" y="18" font-size="14" font-weight="bold">${escapeXml(chart.title)}</text>`,
  );
  chart.series.forEach((name, i) => {
    const x = left + i * 120;
    out.push(
      `<rect x="${x}" y="28" width="10" height="10" fill="${COLORS[i % COLORS.length]}"/>`,
      `<text x="${x + 14}" y="37">${escapeXml(name)}</text>`,
    );
  });
  for (const tick of axis.ticks) {
    const x = (left + axis.position(tick)).toFixed(1);
    out.push(
      `<line x1="${x}" y1="${TOP - 4}" x2="${x}" y2="${TOP + plotHeight}" stroke="#dddddd"/>`,
      `<text x="${x}" y="${TOP + plotHeight + 14}" text-anchor="middle">${escapeXml(formatTick(tick))}</text>`,
    );
  }
  out.push(
    `<text x="${left + span / 2}" y="${height - 6}" text-anchor="middle">${escapeXml(chart.unit + (chart.scale === 'log' ? ' (log scale)' : ''))}</text>`,
  );
  chart.groups.forEach((group, g) => {
    const y0 = TOP + g * (groupHeight + GROUP_GAP);
    out.push(`<text x="${left - 6}" y="${y0 + groupHeight / 2 + 4}" text-anchor="end">${escapeXml(group.label)}</text>`);
    group.values.forEach((v, s) => {
      if (v === null || !Number.isFinite(v) || s >= chart.series.length) return;
      const y = y0 + s * (BAR + BAR_GAP);
      const w = Math.max(1, axis.position(v));
      out.push(
        `<rect class="bar" x="${left}" y="${y}" width="${w.toFixed(1)}" height="${BAR}" fill="${COLORS[s % COLORS.length]}">` +
          `<title>${escapeXml(`${group.label} · ${chart.series[s]}: ${formatNumber(v)} ${chart.unit}`)}</title></rect>`,
        `<text x="${(left + w + 4).toFixed(1)}" y="${y + BAR - 2}">${escapeXml(formatNumber(v))}</text>`,
      );
    });
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
