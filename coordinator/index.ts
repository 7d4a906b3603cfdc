/** The coordinator's public surface, for embedding (the runner) and for tests. */
export { startCoordinator, isLoopback, CoordinatorConfigError } from './start-coordinator.js';
export type { CoordinatorOptions, RunningCoordinator } from './start-coordinator.js';
export { resolveTimings } from './constants.js';
export type { CoordinatorTimings } from './constants.js';
export type { Store } from './store/store.js';
export { openStore } from './store/open-store.js';
export type * from './types.js';
export { enqueueNotification, wantsNotification, type NotificationToEnqueue } from './store/ops/enqueue-notifications.js';
export { notifyBudgetExceeded } from './store/ops/notify-budget-exceeded.js';
export { loadNotifyConfig, NotifyConfigError, type ResolvedNotifyConfig } from './notify/notify-config.js';
export { encodeCallbackData, decodeCallbackData, type ButtonChoice } from './notify/callback-data.js';
