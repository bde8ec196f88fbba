/**
 * Queueing from outside a page (service worker: a notification action), offline too. Same
 * database, seq counter and transaction as the page's writes; the page tabs are told through
 * the BroadcastChannel so the leader pushes at once (and views refresh). No DOM, no fetch.
 *
 * The service worker must ship with the same build as the pages: an older worker opening a
 * newer database fails (IndexedDB never opens at a lower version) and queues nothing.
 */
import { getMeta, openDatabase } from './db';
import { enqueueIntent, QUEUE_CHANNEL } from './queue';
import type { JsonObject } from './types';

/** Queues an intent for the user signed in on this device; false when nobody is. */
export async function enqueueOffPage(
  name: string,
  v: number,
  args: JsonObject,
  options: { dbName?: string } = {},
): Promise<boolean> {
  const db = await openDatabase(options.dbName ?? 'nomade');
  let userId: string;
  try {
    const saved = await getMeta(db, 'session');
    if (saved === undefined) return false;
    userId = saved.user.id;
    await enqueueIntent(db, userId, name, v, args);
  } finally {
    db.close();
  }
  if (typeof BroadcastChannel !== 'undefined') {
    const channel = new BroadcastChannel(QUEUE_CHANNEL);
    channel.postMessage({ type: 'enqueued', userId });
    channel.close();
  }
  return true;
}
