import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createProgress } from '../../bench/progress.js';

function sink(isTTY: boolean, columns = 60) {
  const writes: string[] = [];
  return { isTTY, columns, writes, write: (t: string) => writes.push(t) };
}

describe('progress bar', () => {
  it('writes one plain line per item when the stream is not a terminal', () => {
    const s = sink(false);
    const p = createProgress(4, s);
    p.update(0, 'first');
    p.update(0, 'first: a step');
    p.update(1, 'second');
    p.done();
    assert.equal(s.writes.length, 2);
    assert.match(s.writes[0]!, /^bench 1\/4 \d+s first\n$/);
    assert.match(s.writes[1]!, /^bench 2\/4 \d+s second\n$/);
  });

  it('a terminal that reports 0 columns gets the whole line, not one cut short', () => {
    const s = sink(true, 0);
    createProgress(4, s).update(0, 'short');
    assert.ok(s.writes[0]!.endsWith('short'), s.writes[0]);
  });

  it('redraws one line on a terminal, within its width, and clears it when done', () => {
    const s = sink(true);
    const p = createProgress(4, s);
    p.update(2, 'a label long enough to be cut at the terminal width, surely');
    assert.equal(s.writes.length, 1);
    const line = s.writes[0]!.replace('\r\x1b[2K', '');
    assert.ok(line.startsWith('[############------------] 3/4'), line);
    assert.ok(line.length <= 59);
    p.done();
    assert.equal(s.writes.at(-1), '\r\x1b[2K');
  });
});
