/// <reference lib="webworker" />
/** Queues an intent from the service worker (a notification action), offline too, straight
 * into the data layer's per-user IndexedDB queue: the same seq counter and transaction as the
 * page's writes. Uses the data layer's idb-only modules (no DOM, no fetch). */
import { getMeta, openDatabase } from "../data/db";
import { enqueueIntent } from "../data/queue";
import type { JsonObject } from "../data";

/** Returns false when nobody is signed in on this phone (the intent is then not queued). */
export async function queueFromWorker(name: string, args: JsonObject): Promise<boolean> {
  const db = await openDatabase("nomade");
  try {
    const saved = await getMeta(db, "session");
    if (!saved) return false;
    await enqueueIntent(db, saved.user.id, name, 1, args);
    return true;
  } finally {
    db.close();
  }
}
