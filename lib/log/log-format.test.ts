import { describe, expect, it } from 'vitest';
import { LogFormatError, resolveLogFormat } from './log-format.js';

const flag = (value: string | undefined) => ({ name: '--log-format', value });
const env = (value: string | undefined) => ({ name: 'AGENT_RUNNER_LOG_FORMAT', value });

describe('resolveLogFormat', () => {
  it('defaults to pretty on a terminal and json elsewhere', () => {
    expect(resolveLogFormat([flag(undefined), env(undefined)], true)).toBe('pretty');
    expect(resolveLogFormat([flag(undefined), env(undefined)], false)).toBe('json');
  });

  it('takes the first source given: the flag over the environment; an empty variable is unset', () => {
    expect(resolveLogFormat([flag('json'), env('pretty')], true)).toBe('json');
    expect(resolveLogFormat([flag(undefined), env('pretty')], false)).toBe('pretty');
    expect(resolveLogFormat([flag(undefined), env('')], true)).toBe('pretty');
    expect(resolveLogFormat([flag(undefined), env(' JSON ')], true)).toBe('json');
  });

  it('refuses anything else, naming where it came from, with the value escaped', () => {
    expect(() => resolveLogFormat([flag('xml'), env('json')], false)).toThrow(new LogFormatError('--log-format: "xml" is not a log format (use json or pretty)'));
    expect(() => resolveLogFormat([flag(''), env('json')], false)).toThrow(new LogFormatError('--log-format: "" is not a log format (use json or pretty)'));
    expect(() => resolveLogFormat([flag(undefined), env('pretty\x1b[2J\n')], false)).toThrow(
      new LogFormatError('AGENT_RUNNER_LOG_FORMAT: "pretty\\x1b[2J\\n" is not a log format (use json or pretty)'),
    );
  });
});
