/** A small IndexedDB outbox that both the service worker and the page can use: intents queued
 * from notification actions (works offline) and receipt images waiting for upload.
 * STAND-IN for the data layer's SW-safe module (src/data, branch pwa-data): same role, to be
 * switched when it lands. */
import { openDB, type DBSchema, type IDBPDatabase } from "idb";
import type { PendingIntent } from "../app/model";

interface OutboxDB extends DBSchema {
  intents: { key: string; value: PendingIntent };
  receipts: { key: string; value: { sha256: string; blob: Blob; queued_at: string } };
}

let db: Promise<IDBPDatabase<OutboxDB>> | null = null;

function open(): Promise<IDBPDatabase<OutboxDB>> {
  db ??= openDB<OutboxDB>("nomade-outbox", 1, {
    upgrade(database, oldVersion) {
      if (oldVersion < 1) {
        database.createObjectStore("intents", { keyPath: "id" });
        database.createObjectStore("receipts", { keyPath: "sha256" });
      }
    },
  });
  return db;
}

export async function queueIntent(intent: PendingIntent): Promise<void> {
  await (await open()).put("intents", intent);
}

/** Takes the intents queued by the worker (they move to the page's queue). */
export async function readOutbox(): Promise<PendingIntent[]> {
  const database = await open();
  const tx = database.transaction("intents", "readwrite");
  const all = await tx.store.getAll();
  await tx.store.clear();
  await tx.done;
  return all;
}

export async function saveReceipt(sha256: string, blob: Blob): Promise<void> {
  await (await open()).put("receipts", { sha256, blob, queued_at: new Date().toISOString() });
}
