import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RunnerView } from '../../protocol/runners.js';
import type { SystemStatus } from '../../protocol/status.js';
import type { ToolContext } from './tool-context.js';
import { guarded, toolResult } from './tool-result.js';

/** Slots of the online runners that serve one executor or carry one tag: runners, slots in all, slots free. */
interface Slots {
  runners: number;
  slots_total: number;
  slots_free: number;
}

const add = (into: Map<string, Slots>, key: string, runner: RunnerView) => {
  const slots = into.get(key) ?? { runners: 0, slots_total: 0, slots_free: 0 };
  slots.runners += 1;
  slots.slots_total += runner.capacity;
  slots.slots_free += Math.max(0, runner.capacity - runner.slots_used);
  into.set(key, slots);
};

/**
 * The fleet as an orchestrating agent needs it to decide how to fan out: runners online, free slots per
 * executor and per tag (a runner counts under each executor it serves and each tag it has), queue depth.
 */
export function fleetStatus(status: SystemStatus, runners: readonly RunnerView[]) {
  const online = runners.filter((r) => r.status === 'online');
  const byExecutor = new Map<string, Slots>();
  const byTag = new Map<string, Slots>();
  for (const runner of online) {
    for (const executor of runner.executors) add(byExecutor, executor, runner);
    for (const tag of runner.tags) add(byTag, tag, runner);
  }
  const sorted = (m: Map<string, Slots>) => Object.fromEntries([...m.entries()].sort(([a], [b]) => a.localeCompare(b)));
  return {
    runners_online: online.length,
    slots: { total: status.runners.slots_total, used: status.runners.slots_used, free: Math.max(0, status.runners.slots_total - status.runners.slots_used) },
    by_executor: sorted(byExecutor),
    by_tag: sorted(byTag),
    queue: { depth: status.queue.depth, oldest_wait_s: status.queue.age_s },
    runs: status.runs,
  };
}

/** get_fleet_status: what the runners can take now. */
export function registerFleetTools(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    'get_fleet_status',
    {
      description:
        'The runners online now, their free slots per executor and per runner tag, and how many runs wait in the queue: ' +
        'use it to decide how many children to start at once, and with which executor or tags.',
      inputSchema: {},
    },
    guarded(async () => {
      const [status, { runners }] = await Promise.all([ctx.api.getStatus(), ctx.api.listRunners()]);
      return toolResult(fleetStatus(status, runners));
    }),
  );
}
