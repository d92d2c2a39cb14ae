import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createProgress } from '../../bench/progress.js';

function sink(isTTY: boolean) {
  const writes: string[] = [];
  return { isTTY, columns: 60, writes, write: (t: string) => writes.push(t) };
}

describe('progress bar', () => {
  it('writes nothing when the stream is not a terminal', () => {
    const s = sink(false);
    const p = createProgress(4, s);
    p.update(0, 'first');
    p.done();
    assert.deepEqual(s.writes, []);
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
