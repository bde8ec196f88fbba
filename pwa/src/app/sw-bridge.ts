/** Page side of the service worker: registration, a new version offered (never forced),
 * messages from the worker (sync requests, navigation after a notification click). */
import { signal } from "@preact/signals";

export const updateReady = signal<boolean>(false);
let registration: ServiceWorkerRegistration | null = null;
let userAskedUpdate = false;

export interface WorkerMessages {
  onSync(): void;
  onNavigate(path: string): void;
}

export async function registerWorker(handlers: WorkerMessages): Promise<void> {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.addEventListener("message", (event: MessageEvent<{ type?: string; url?: string }>) => {
    if (event.data?.type === "SYNC") handlers.onSync();
    if (event.data?.type === "NAVIGATE" && event.data.url) handlers.onNavigate(event.data.url);
  });
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (userAskedUpdate) location.reload();
  });
  registration = await navigator.serviceWorker.register("/sw.js", { scope: "/", type: import.meta.env.DEV ? "module" : "classic" });
  const offerIfWaiting = (): void => {
    if (registration?.waiting && navigator.serviceWorker.controller) updateReady.value = true;
  };
  offerIfWaiting();
  registration.addEventListener("updatefound", () => {
    const installing = registration?.installing;
    installing?.addEventListener("statechange", () => {
      if (installing.state === "installed") offerIfWaiting();
    });
  });
  // Look for a new version when the app comes back to the foreground.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") void registration?.update().catch(() => undefined);
  });
}

/** Activates the waiting version at the user's request; the page reloads once it controls.
 * Without a waiting version (no service worker, or the new one already controls the page, an
 * older build left open) the page reloads at once. */
export function applyUpdate(): void {
  userAskedUpdate = true;
  const waiting = registration?.waiting;
  if (waiting) waiting.postMessage({ type: "SKIP_WAITING" });
  else location.reload();
}

export function dismissUpdate(): void {
  updateReady.value = false;
}

/** An iPhone/iPad in Safari, not started from the home screen: push needs installation there. */
export function needsIosInstallCoaching(ua = navigator.userAgent, standalone = isStandalone()): boolean {
  return /iPhone|iPad|iPod/.test(ua) && !standalone;
}

function isStandalone(): boolean {
  const nav = navigator as Navigator & { standalone?: boolean };
  return nav.standalone === true || matchMedia("(display-mode: standalone)").matches;
}
