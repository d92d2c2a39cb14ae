import { commander } from '../src/runtime/cjs-deps.js';
import { benchCommand } from './run.js';

const { CommanderError } = commander();

// `npm run bench -- [--quick] [--config FILE] [--out DIR]`: exit 0 when every scenario ran, 1 when one failed,
// 2 on bad arguments (commander has already printed them on one line).
try {
  await benchCommand().name('bench').exitOverride().parseAsync(process.argv);
} catch (err) {
  if (!(err instanceof CommanderError)) throw err;
  process.exitCode = err.exitCode === 0 ? 0 : 2;
}
