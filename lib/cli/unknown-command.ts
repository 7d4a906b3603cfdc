import type { Command } from 'commander';
import { closestName } from '../../protocol/did-you-mean.js';

/**
 * Refuse operands the root command does not take, as commander refuses them elsewhere: `agent-runner
 * sesions list` is an unknown command, `agent-runner --verbos` an unknown option, each with the closest
 * known name. (The root command runs the runner daemon, so commander would only say "too many arguments".)
 */
export function refuseStrayArguments(program: Command): void {
  const [first] = program.args;
  if (first === undefined) return;
  const suggest = (typed: string, names: string[]) => {
    const name = closestName(typed, names);
    return name === undefined ? '' : `\n(Did you mean ${name}?)`;
  };
  if (first.startsWith('-')) {
    const flag = first.split('=')[0]!;
    const flags = program.options.flatMap((option) => [option.long, option.short]).filter((f): f is string => f !== undefined);
    program.error(`error: unknown option '${flag}'${suggest(flag, flags)}`, { code: 'commander.unknownOption' });
  }
  const names = program.commands.map((command) => command.name());
  program.error(`error: unknown command '${first}'${suggest(first, names)}`, { code: 'commander.unknownCommand' });
}
