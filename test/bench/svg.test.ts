import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { barChartSvg, escapeXml, formatNumber, type BarChart } from '../../bench/svg.js';

/** Checks that every tag is closed in order and that text holds no raw `<` or bare `&`: well-formed enough for SVG. */
function assertWellFormed(svg: string): void {
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  for (let m = tag.exec(svg); m; m = tag.exec(svg)) {
    const text = svg.slice(last, m.index);
    assert.ok(!text.includes('<'), `stray "<" before ${m[0]}`);
    assert.ok(!/&(?!(amp|lt|gt|quot|apos);)/.test(text), `bare "&" in ${JSON.stringify(text)}`);
    last = tag.lastIndex;
    const [, closing, name, , selfClosing] = m;
    if (closing) assert.equal(stack.pop(), name, `</${name}> closes the wrong element`);
    else if (!selfClosing) stack.push(name!);
  }
  assert.equal(svg.slice(last).trim(), '', 'text after the root element');
  assert.deepEqual(stack, [], 'unclosed elements');
  assert.ok(svg.trimStart().startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
}

const bars = (svg: string) => svg.match(/<rect class="bar"/g)?.length ?? 0;

const chart: BarChart = {
  title: 'Latency <p50> & "friends"',
  unit: 'µs',
  scale: 'log',
  series: ['1KB', '16KB', '256KB'],
  groups: [
    { label: 'baseline: bare Piscina', values: [80, 150, 800] },
    { label: "chain: sandbox ×5 <no-op> & 'co'", values: [120, null, 2500] },
    { label: 'direct call', values: [0.002, null, null] },
  ],
};

describe('escapeXml', () => {
  it('escapes the five XML specials and nothing else', () => {
    assert.equal(escapeXml(`a<b>&"c"'d' µs ×`), 'a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos; µs ×');
  });
});

describe('barChartSvg', () => {
  it('draws one bar per value, skipping nulls', () => {
    const svg = barChartSvg(chart);
    assert.equal(bars(svg), 6);
    assertWellFormed(svg);
  });

  it('escapes titles, labels and series names', () => {
    const svg = barChartSvg(chart);
    assert.ok(svg.includes('Latency &lt;p50&gt; &amp; &quot;friends&quot;'));
    assert.ok(svg.includes('chain: sandbox ×5 &lt;no-op&gt; &amp; &apos;co&apos;'));
    assert.ok(!svg.includes('<no-op>'));
  });

  it('puts larger values on longer bars on a log scale, with a tick per decade', () => {
    const svg = barChartSvg(chart);
    const widths = [...svg.matchAll(/<rect class="bar" x="[\d.]+" y="[\d.]+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
    assert.ok(widths[0]! < widths[1]! && widths[1]! < widths[2]!, `widths ${widths}`);
    assert.ok(svg.includes('(log scale)'));
    for (const tick of ['0.001', '1', '1,000', '10,000']) assert.ok(svg.includes(`>${tick}</text>`), `tick ${tick}`);
  });

  it('draws a linear scale from zero', () => {
    const svg = barChartSvg({ title: 't', unit: '/s', scale: 'linear', series: ['a'], groups: [{ label: 'x', values: [50] }, { label: 'y', values: [100] }] });
    const widths = [...svg.matchAll(/<rect class="bar" x="[\d.]+" y="[\d.]+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
    assert.ok(Math.abs(widths[1]! - 2 * widths[0]!) < 1, `widths ${widths}`);
    assert.ok(svg.includes('>0</text>'));
    assertWellFormed(svg);
  });

  it('stays well-formed with no data at all', () => {
    const svg = barChartSvg({ title: 'empty', unit: 'µs', scale: 'log', series: [], groups: [] });
    assert.equal(bars(svg), 0);
    assertWellFormed(svg);
  });
});

describe('formatNumber', () => {
  it('keeps about three significant figures', () => {
    assert.equal(formatNumber(12345.6), '12,346');
    assert.equal(formatNumber(83.04), '83.0');
    assert.equal(formatNumber(4.051), '4.05');
    assert.equal(formatNumber(0.00163), '0.0016');
    assert.equal(formatNumber(0), '0');
  });
});
