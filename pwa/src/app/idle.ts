/** Locks a phone that has a PIN after `lockAfterMinutes` without a touch or key press, and when
 * it comes back after being put away that long (the data layer locks at start by itself). */
import { useEffect } from "preact/hooks";
import { hasPin, lockAfterMinutes, lockNow } from "./data";

const ACTIVITY = ["pointerdown", "keydown", "touchstart", "wheel"] as const;
const CHECK_EVERY_MS = 5_000;

export function useIdleLock(): void {
  useEffect(() => {
    let last = Date.now();
    const touch = () => { last = Date.now(); };
    const check = () => {
      if (hasPin() && Date.now() - last >= lockAfterMinutes.peek() * 60_000) lockNow();
    };
    const onVisibility = () => (document.visibilityState === "visible" ? check() : touch());
    for (const name of ACTIVITY) document.addEventListener(name, touch, { capture: true, passive: true });
    document.addEventListener("visibilitychange", onVisibility);
    const timer = setInterval(check, CHECK_EVERY_MS);
    return () => {
      for (const name of ACTIVITY) document.removeEventListener(name, touch, { capture: true });
      document.removeEventListener("visibilitychange", onVisibility);
      clearInterval(timer);
    };
  }, []);
}
