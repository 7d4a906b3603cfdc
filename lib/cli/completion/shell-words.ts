import { type ArgumentSpec, type CommandSpec, type OptionSpec, optionFlags, type ValueKind } from './command-spec.js';

/** A string in single quotes for bash, zsh and fish (`'` written as `'\''`; fish reads `\'` inside quotes). */
export function singleQuoted(text: string, shell: 'posix' | 'fish' = 'posix'): string {
  return shell === 'fish' ? `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A value kind as one word the scripts switch on: `executors`, `dirs`, `choices:a b c`, …. */
export function kindWord(kind: ValueKind | null): string {
  if (kind === null) return '';
  return typeof kind === 'string' ? kind : `choices:${kind.choices.join(' ')}`;
}

/** The flags of a command's options that take a value. */
export const valueFlags = (command: CommandSpec): string[] => command.options.filter((o) => o.value !== null).flatMap(optionFlags);

/** Every flag of a command. */
export const allFlags = (command: CommandSpec): string[] => command.options.flatMap(optionFlags);

/** Each flag of a command with the kind of its value: `[['-x', 'executors'], ['--executor', 'executors'], …]`. */
export const flagKinds = (command: CommandSpec): Array<[string, string]> =>
  command.options.filter((o: OptionSpec) => o.value !== null).flatMap((o) => optionFlags(o).map((f): [string, string] => [f, kindWord(o.value)]));

/**
 * `case` patterns for the kinds of a command's arguments: `path|0`, `path|1`, … and, for a variadic last
 * argument, `path|*` (every later position); arguments without values to offer are left out.
 */
export function argumentCases(command: CommandSpec): Array<{ pattern: string; kind: string }> {
  return command.args.flatMap((a: ArgumentSpec, i) => {
    if (a.value === 'none') return [];
    return [{ pattern: `${singleQuoted(`${command.path}|`)}${a.variadic ? '*' : String(i)}`, kind: kindWord(a.value) }];
  });
}

/** A one-line description (the first sentence line), without characters that break a completion listing. */
export const shortDescription = (text: string): string => text.split('\n')[0]!.replace(/[\t\r]/g, ' ').trim();
