import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { checkAgentFile, MAX_AGENT_FILE_BYTES, type AgentFileCheck } from '../../protocol/agent-file.js';

/**
 * Read and check one blueprint file (protocol/agent-file.ts). Only a regular file of at most
 * MAX_AGENT_FILE_BYTES is read: a FIFO, a device or a huge file named `x.json` is refused, never waited
 * on or loaded whole. Never throws; a file that cannot be read is an issue at `(file)`.
 */
export async function readAgentFile(path: string): Promise<AgentFileCheck> {
  const refuse = (message: string): AgentFileCheck => ({ ok: false, issues: [{ path: '(file)', message }] });
  let handle;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return refuse(`cannot open it: ${describe(error)}`);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return refuse('not a regular file');
    if (stat.size > MAX_AGENT_FILE_BYTES) return refuse(`${stat.size} bytes is more than the most allowed, ${MAX_AGENT_FILE_BYTES}`);
    // Read at most one byte more than stat said: a file that grew meanwhile is refused, not read whole
    // (a folder watch reads it again once the writer is done).
    const buffer = Buffer.alloc(stat.size + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > stat.size) return refuse('it grew while it was being read; try again');
    }
    return checkAgentFile(basename(path), buffer.subarray(0, length).toString('utf8'));
  } catch (error) {
    return refuse(`cannot read it: ${describe(error)}`);
  } finally {
    await handle.close();
  }
}

const describe = (error: unknown) => (error as NodeJS.ErrnoException).code ?? (error as Error).message;
