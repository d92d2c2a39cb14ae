import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
export const FIXTURES = 'test/fixtures/cli';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a user would, from the repository root, with stdout and stderr piped (not a TTY). */
export function cordon(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: options.env ?? { ...process.env, NO_COLOR: '' },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/**
 * The rows of a table printed by `cordon run` or `cordon validate`, as objects keyed by the header: each line is
 * cut at the columns where the header's words start. A blank HOOK cell repeats the row above, as a reader sees it.
 */
export function tableRows(stdout: string, firstHeader: string): Array<Record<string, string>> {
  const lines = stdout.split('\n');
  const at = lines.findIndex((l) => l.startsWith(firstHeader));
  if (at < 0) throw new Error(`no table with header ${firstHeader} in:\n${stdout}`);
  const header = lines[at]!;
  const starts = [...header.matchAll(/\S+/g)].map((m) => ({ name: m[0], start: m.index }));
  const rows: Array<Record<string, string>> = [];
  for (const line of lines.slice(at + 1)) {
    if (line.trim() === '') break;
    const row: Record<string, string> = {};
    starts.forEach(({ name, start }, i) => {
      const end = i + 1 < starts.length ? starts[i + 1]!.start : undefined;
      row[name] = line.slice(start, end).trim();
    });
    if (row[firstHeader] === '' && rows.length) row[firstHeader] = rows[rows.length - 1]![firstHeader]!;
    rows.push(row);
  }
  return rows;
}

export const ANSI = /\u001b\[/;
