/// <reference lib="webworker" />
/** Background Sync: the worker wakes the open pages' sync engine (Chromium only; pages also
 * sync on start, on `online` and when visible). */
export const SYNC_TAG = "nomade-sync";

export async function askClientsToSync(clients: Clients): Promise<void> {
  const windows = await clients.matchAll({ type: "window", includeUncontrolled: true });
  for (const w of windows) w.postMessage({ type: "SYNC" });
}

export async function requestBackgroundSync(registration: ServiceWorkerRegistration): Promise<void> {
  const withSync = registration as ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } };
  await withSync.sync?.register(SYNC_TAG).catch(() => undefined);
}
