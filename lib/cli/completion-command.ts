import type { Command } from 'commander';
import { bashScript } from './completion/bash-script.js';
import { commandSpec } from './completion/command-spec.js';
import { fishScript } from './completion/fish-script.js';
import { zshScript } from './completion/zsh-script.js';

/** The shells `agent-runner completion` writes a script for. */
export const COMPLETION_SHELLS = ['bash', 'zsh', 'fish'] as const;
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

/** `agent-runner completion bash|zsh|fish`: print the completion script, generated from `program` itself. */
export function completionCommand(shell: CompletionShell, program: Command): number {
  const spec = commandSpec(program);
  const script = shell === 'bash' ? bashScript(spec) : shell === 'zsh' ? zshScript(spec) : fishScript(spec);
  process.stdout.write(script);
  return 0;
}
