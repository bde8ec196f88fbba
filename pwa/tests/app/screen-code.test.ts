import { signal } from "@preact/signals";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { isAnotherBuild, retrying, type Network } from "../../src/app/screen-code";

describe("which build a reload would start", () => {
  it("is another build when the server's shell names other files, never when it cannot tell", () => {
    const running = ["/assets/index-Cv3NMsFx.js"];
    expect(isAnotherBuild(running, ["/assets/index-D9new000.js"])).toBe(true);
    expect(isAnotherBuild(running, ["/assets/index-Cv3NMsFx.js"])).toBe(false);
    expect(isAnotherBuild(running, null)).toBe(false);
    expect(isAnotherBuild([], ["/assets/index-D9new000.js"])).toBe(false);
  });
});

/** A browser whose connectivity and deployed build the test sets. */
function fakeNetwork(): Network & { online: boolean; another: boolean; asked: number; comeOnline(): void } {
  const listeners = new Set<() => void>();
  return {
    online: true, another: false, asked: 0,
    isOnline() { return this.online; },
    onOnline(listener) { listeners.add(listener); return () => listeners.delete(listener); },
    async anotherBuild() { this.asked += 1; return this.another; },
    comeOnline() { this.online = true; for (const l of [...listeners]) l(); },
  };
}

describe("a screen's code that failed to load", () => {
  beforeEach(() => { vi.useFakeTimers(); });
  afterEach(() => { vi.useRealTimers(); });

  it("is fetched again every few seconds while the network fails, and when the phone comes online", async () => {
    const network = fakeNetwork();
    const needed = signal(false);
    let failures = 2;
    const load = vi.fn(async () => { if (failures-- > 0) throw new TypeError("Failed to fetch dynamically imported module"); return "Inbox"; });
    const screen = retrying(load, network, 3_000, needed)();
    await vi.advanceTimersByTimeAsync(0);
    expect(load).toHaveBeenCalledTimes(1);
    expect(network.asked).toBe(1); // online: the same build, so a network failure
    await vi.advanceTimersByTimeAsync(3_000);
    expect(load).toHaveBeenCalledTimes(2);
    network.online = false;
    await vi.advanceTimersByTimeAsync(0);
    network.comeOnline(); // before the 3 s: tried at once
    await expect(screen).resolves.toBe("Inbox");
    expect(load).toHaveBeenCalledTimes(3);
    expect(needed.value).toBe(false);
  });

  it("offline, is tried again without asking the server which build it serves", async () => {
    const network = fakeNetwork();
    network.online = false;
    network.another = true;
    const load = vi.fn(async () => { throw new TypeError("Failed to fetch dynamically imported module"); });
    const needed = signal(false);
    void retrying(load, network, 3_000, needed)();
    await vi.advanceTimersByTimeAsync(9_000);
    expect(load).toHaveBeenCalledTimes(4);
    expect(network.asked).toBe(0);
    expect(needed.value).toBe(false);
  });

  it("gone from a server that now serves another build: a new version is needed, and nothing is tried again", async () => {
    const network = fakeNetwork();
    network.another = true;
    const load = vi.fn(async () => { throw new TypeError("Failed to fetch dynamically imported module"); });
    const needed = signal(false);
    const screen = retrying(load, network, 3_000, needed)();
    const settled = vi.fn();
    void screen.then(settled, settled);
    await vi.advanceTimersByTimeAsync(0);
    expect(needed.value).toBe(true);
    await vi.advanceTimersByTimeAsync(30_000);
    network.comeOnline();
    await vi.advanceTimersByTimeAsync(0);
    expect(load).toHaveBeenCalledTimes(1);
    expect(settled).not.toHaveBeenCalled(); // the screen opens after the update's reload
    // Another screen failing afterwards does not ask again.
    void retrying(load, network, 3_000, needed)();
    await vi.advanceTimersByTimeAsync(0);
    expect(network.asked).toBe(1);
  });
});
