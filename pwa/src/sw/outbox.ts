/// <reference lib="webworker" />
/** Queues an intent from the service worker (a notification action), offline too, through the
 * data layer's SW-safe module (same IndexedDB queue and seq counter as the page). */
import { enqueueOffPage } from "../data/worker";
import type { JsonObject } from "../data";

/** Returns false when nobody is signed in on this phone (the intent is then not queued). */
export function queueFromWorker(name: string, args: JsonObject): Promise<boolean> {
  return enqueueOffPage(name, 1, args);
}
