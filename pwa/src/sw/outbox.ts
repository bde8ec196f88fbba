/// <reference lib="webworker" />
/** Queues an intent from the service worker (a notification action), offline too, through the
 * data layer's SW-safe module (same IndexedDB queue and seq counter as the page). */
import { enqueueOffPage } from "../data/worker";
import type { JsonObject } from "../data";
import type { IntentArgs, IntentName } from "../data/contract.gen";

/** Queues `name` with arguments checked against the server's generated contract (types only).
 * Returns false when nobody is signed in on this phone (the intent is then not queued). */
export function queueFromWorker<N extends IntentName>(name: N, args: IntentArgs[N]): Promise<boolean> {
  return enqueueOffPage(name, 1, args as unknown as JsonObject);
}
