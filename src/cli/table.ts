import { escapeControls } from '../core/failures.js';
import type { Style } from './style.js';

export interface Cell {
  text: string;
  format?: Parameters<Style>[0];
}

/**
 * A plain-text table: columns padded to their widest cell, the last one left ragged (never cut: it holds the
 * detail a reader came for, so a narrow terminal wraps it instead). Widths are measured on the plain text and
 * colour is applied after padding, so escape codes never shift a column.
 */
export function renderTable(headers: string[], rows: Cell[][], style: Style): string {
  // a cell may hold a plugin's text (a violation, metadata): its control characters must not reach the terminal
  rows = rows.map((cells) => cells.map((cell) => ({ ...cell, text: escapeControls(cell.text) })));
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.text.length ?? 0)));
  const line = (cells: Cell[]): string => cells
    .map((cell, i) => {
      const text = i === cells.length - 1 ? cell.text : cell.text.padEnd(widths[i]!);
      return cell.format ? style(cell.format, text) : text;
    })
    .join('  ')
    .trimEnd();
  const head = line(headers.map((text) => ({ text, format: 'bold' as const })));
  return [head, ...rows.map(line)].join('\n');
}
