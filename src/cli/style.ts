import { styleText } from 'node:util';

type Format = Parameters<typeof styleText>[0];

/** Colour only for a person at a terminal: stdout is a TTY and NO_COLOR (https://no-color.org) is unset or empty. */
export function colourWanted(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && !env.NO_COLOR;
}

export interface Style {
  (format: Format, text: string): string;
}

/** styleText checks the stream itself only on some Node 20 lines, so the decision is made once, here. */
export function makeStyle(enabled: boolean): Style {
  return enabled ? (format, text) => styleText(format, text, { validateStream: false }) : (_format, text) => text;
}
