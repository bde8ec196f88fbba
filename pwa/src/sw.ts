/// <reference lib="webworker" />
/** Service worker entry: listeners only. The work lives in small named functions in ./sw/. */
import { clientsClaim } from "workbox-core";
import { cleanupOutdatedCaches, precacheAndRoute } from "workbox-precaching";
import { cleanOldRuntimeCaches, routeBlobs, routeNavigations } from "./sw/strategies";
import { openFromNotification, showPush } from "./sw/notifications";
import { askClientsToSync, SYNC_TAG } from "./sw/background-sync";

declare const self: ServiceWorkerGlobalScope;

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
routeNavigations();
routeBlobs();
// First install takes the open page at once; later versions wait for the user (SKIP_WAITING).
clientsClaim();

self.addEventListener("activate", (event) => event.waitUntil(cleanOldRuntimeCaches()));
self.addEventListener("message", (event) => {
  if ((event.data as { type?: string } | null)?.type === "SKIP_WAITING") void self.skipWaiting();
});
self.addEventListener("push", (event) => event.waitUntil(showPush(self.registration, event.data)));
self.addEventListener("notificationclick", (event) => event.waitUntil(openFromNotification(self, event)));
self.addEventListener("sync", (event) => {
  const e = event as Event & { tag: string; waitUntil(p: Promise<unknown>): void };
  if (e.tag === SYNC_TAG) e.waitUntil(askClientsToSync(self.clients));
});
