/** A screen's code, loaded on demand, when a load fails. `import()` fails the same way for two
 * causes. A network that failed (a flaky one; offline before the service worker has the file) is
 * cured by trying again: every few seconds and when the phone comes online. An app older than the
 * server's is not: it asks for a file that a deployment removed (file names carry content
 * hashes; the server answers 404). The phone tells them apart by asking, while online, which
 * build a reload would start: another one than this page's means a new version is needed, and
 * the app says so instead of "Loading…" for good. */
import { signal, type Signal } from "@preact/signals";

/** A reload would start another build of the app: this page's screens may be gone from the
 * server, and the update (src/app/sw-bridge.ts `applyUpdate`) opens them. */
export const newVersionNeeded = signal<boolean>(false);

/** What the retries ask of the browser (a stand-in in tests). */
export interface Network {
  /** Whether the browser says it is online. */
  isOnline(): boolean;
  /** Calls `listener` when the browser says it is back online; returns how to stop listening. */
  onOnline(listener: () => void): () => void;
  /** Whether a reload would start another build than this page's (false when it cannot tell). */
  anotherBuild(): Promise<boolean>;
}

export const RETRY_MS = 3_000;

/** Whether `deployed` (the module scripts of the shell a reload would start; null: unknown) is
 * another build than `running` (this page's). */
export function isAnotherBuild(running: readonly string[], deployed: readonly string[] | null): boolean {
  if (deployed === null || running.length === 0) return false;
  return deployed.some((src) => !running.includes(src)) || running.some((src) => !deployed.includes(src));
}

/** A loader that keeps trying `load` until it succeeds (preact-iso's `lazy` keeps its first
 * promise: a rejected one would leave the screen on "Loading…" until a reload), unless a failure
 * while online finds that a reload would start another build: then `needed` is set and the
 * promise stays pending (the screen loads after the update's reload). */
export function retrying<T>(load: () => Promise<T>, network: Network, retryMs = RETRY_MS,
  needed: Signal<boolean> = newVersionNeeded): () => Promise<T> {
  return () => new Promise<T>((resolve) => {
    const attempt = (): void => {
      load().then(resolve, async () => {
        if (needed.peek()) return;
        if (network.isOnline() && await network.anotherBuild().catch(() => false)) {
          needed.value = true;
          return;
        }
        const again = (): void => { clearTimeout(timer); stop(); attempt(); };
        const timer = setTimeout(again, retryMs);
        const stop = network.onOnline(again);
      });
    };
    attempt();
  });
}

/** The browser's network, and the build question asked through `deployed` (the data layer's
 * `deployedScripts`): one question at a time, shared by the screens that failed together. */
export function browserNetwork(deployed: () => Promise<string[] | null>): Network {
  let asking: Promise<boolean> | null = null;
  const running = (): string[] => [...document.querySelectorAll<HTMLScriptElement>("script[type=module][src]")]
    .map((script) => script.getAttribute("src") ?? "");
  return {
    isOnline: () => navigator.onLine,
    onOnline(listener) {
      addEventListener("online", listener);
      return () => removeEventListener("online", listener);
    },
    anotherBuild() {
      asking ??= deployed().then((scripts) => isAnotherBuild(running(), scripts)).finally(() => { asking = null; });
      return asking;
    },
  };
}
