import { commander } from '../src/runtime/cjs-deps.js';
import { ConfigError } from '../src/core/errors.js';
import { BenchInputError, benchCommand } from './run.js';

const { CommanderError } = commander();

// `npm run bench -- [--quick] [--config FILE] [--out DIR]`: exit 0 when every scenario ran, 1 when one failed,
// 2 on bad arguments or a bad --config (one line on stderr; commander prints its own).
try {
  await benchCommand().name('bench').exitOverride().parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exitCode = err.exitCode === 0 ? 0 : 2;
  else if (err instanceof BenchInputError || err instanceof ConfigError) {
    process.stderr.write(`bench: ${err.message}\n`);
    process.exitCode = 2;
  } else throw err;
}
