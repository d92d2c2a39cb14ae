import type { Command } from 'commander';
import { CliError, EXIT } from './failures.js';

/**
 * `cordon bench` hands its arguments to the bench suite's own command (bench/run.ts owns its options and help),
 * loaded only when asked so that every other command starts without it. Its exit code goes through `setExit`,
 * like every command's, so a failed scenario exits 1.
 */
export function addBenchCommand(program: Command, configure: (cmd: Command) => Command, setExit: (code: number) => void): void {
  program
    .command('bench')
    .description('measure plugin chains against the floor (a bare thread hop) and in-process calls; see cordon bench --help')
    .usage('[--quick] [--config FILE] [--out DIR] [--only GROUPS] ...')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[options...]', 'passed to the bench suite')
    .action(async (args: string[]) => {
      const { benchCommand, BenchInputError } = await import('../../bench/run.js');
      try {
        await configure(benchCommand(setExit).name('cordon bench')).parseAsync(args, { from: 'user' });
      } catch (err) {
        if (err instanceof BenchInputError) throw new CliError(err.message, EXIT.badInput);
        throw err;
      }
    });
}
