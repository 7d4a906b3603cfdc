/**
 * What a completion script completes, read from the commander program itself (so the scripts stay true
 * as commands and flags change): each command's subcommands, options and arguments, and the kind of
 * value each option and argument takes.
 */
import { type Argument, type Command, Help, type Option } from 'commander';
import { ENDED_SESSION_STATUSES, SESSION_STATUSES } from '../../../protocol/statuses.js';

/**
 * What a value completes to: names the `__complete` subcommand lists (executors found here, agents and
 * recent sessions of a coordinator that answers fast), folders, files, an executor name or a file, fixed
 * choices, or nothing.
 */
export type ValueKind = 'executors' | 'agents' | 'sessions' | 'skills' | 'dirs' | 'files' | 'executor-or-file' | 'none' | { choices: readonly string[] };

export interface OptionSpec {
  /** `-c`, `--coordinator-url`. */
  short: string | undefined;
  long: string | undefined;
  description: string;
  /** null for a flag without a value. */
  value: ValueKind | null;
}

export interface ArgumentSpec {
  name: string;
  value: ValueKind;
  /** Takes every word from its position on (`<files...>`). */
  variadic: boolean;
}

export interface CommandSpec {
  name: string;
  /** The command words after the program's name, space-separated (`sessions list`); `` for the program. */
  path: string;
  description: string;
  options: OptionSpec[];
  args: ArgumentSpec[];
  commands: CommandSpec[];
}

/** The values of options, by their long flag (the same flag means the same thing in every command). */
const OPTION_VALUES: Readonly<Record<string, ValueKind>> = {
  '--executor': 'executors',
  '--agent': 'agents',
  '--parent': 'sessions',
  '--status': { choices: SESSION_STATUSES },
  '--executors-dir': 'dirs',
  '--project-dir': 'dirs',
  '--agents-dir': 'dirs',
  '--skills-dir': 'dirs',
  '--mcp-servers': 'files',
  '--executor-path': 'files',
  '--blueprint': 'files',
  '--prompt-file': 'files',
};

/** Where one command's option means something narrower: `command path|flag`. */
const COMMAND_OPTION_VALUES: Readonly<Record<string, ValueKind>> = {
  'sessions prune|--status': { choices: ENDED_SESSION_STATUSES },
};

/** The values of arguments, by their name. */
const ARGUMENT_VALUES: Readonly<Record<string, ValueKind>> = {
  id: 'sessions',
  session: 'sessions',
  agent: 'agents',
  executor: 'executors',
  'name-or-path': 'executor-or-file',
  file: 'files',
  files: 'files',
  dir: 'dirs',
};

function optionSpec(path: string, option: Option): OptionSpec {
  const takesValue = option.required || option.optional;
  const choices = option.argChoices;
  const long = option.long ?? '';
  const value = !takesValue ? null : choices !== undefined ? { choices } : (COMMAND_OPTION_VALUES[`${path}|${long}`] ?? OPTION_VALUES[long] ?? 'none');
  return { short: option.short, long: option.long, description: option.description, value };
}

function argumentSpec(command: Command, argument: Argument): ArgumentSpec {
  const name = argument.name();
  const variadic = argument.variadic;
  if (argument.argChoices !== undefined) return { name, value: { choices: argument.argChoices }, variadic };
  // `agents show NAME`, `agents delete NAME`: a name under `agents` is an agent's.
  if (name === 'name' && command.parent?.name() === 'agents') return { name, value: 'agents', variadic };
  // `skills show NAME`: a skill's, of a coordinator that answers.
  if (name === 'name' && command.parent?.name() === 'skills') return { name, value: 'skills', variadic };
  return { name, value: ARGUMENT_VALUES[name] ?? 'none', variadic };
}

/** The spec of a command and everything under it (hidden commands and options left out). */
export function commandSpec(command: Command, path = ''): CommandSpec {
  const help = new Help();
  return {
    name: command.name(),
    path,
    description: command.description(),
    options: help.visibleOptions(command).map((o) => optionSpec(path, o)),
    args: command.registeredArguments.map((a) => argumentSpec(command, a)),
    commands: help.visibleCommands(command).map((sub) => commandSpec(sub, path === '' ? sub.name() : `${path} ${sub.name()}`)),
  };
}

/** Every command of the tree, the program first. */
export function allCommands(spec: CommandSpec): CommandSpec[] {
  return [spec, ...spec.commands.flatMap(allCommands)];
}

/** The flags an option answers to (`-c`, `--coordinator-url`). */
export const optionFlags = (o: OptionSpec): string[] => [o.short, o.long].filter((f): f is string => f !== undefined);
