import type { Command } from 'commander';

/**
 * `cordon bench` hands its arguments to the bench suite's own command (bench/run.ts owns its options and help),
 * loaded only when asked so that every other command starts without it.
 */
export function addBenchCommand(program: Command, configure: (cmd: Command) => Command): void {
  program
    .command('bench')
    .description('measure plugin chains against the floor (a bare thread hop) and in-process calls; see cordon bench --help')
    .usage('[--quick] [--config FILE] [--out DIR] [--only GROUPS] ...')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[options...]', 'passed to the bench suite')
    .action(async (args: string[]) => {
      const { benchCommand } = await import('../../bench/run.js');
      await configure(benchCommand().name('cordon bench')).parseAsync(args, { from: 'user' });
    });
}
