/// <reference lib="webworker" />
/** Push display and notification clicks. Approve queues a sync intent in IndexedDB (works
 * offline; the server re-checks state and content). Refuse and a tap on the body open the
 * decision screen (a refusal needs a reason the manager types there, never a canned one). */
import { queueFromWorker } from "./outbox";
import { askClientsToSync, requestBackgroundSync } from "./background-sync";

export interface PushPayload {
  title: string;
  body?: string;
  url?: string;
  tag?: string;
  /** Replaces an earlier notification (same tag) without sound: a request decided elsewhere. */
  silent?: boolean;
  /** Set for approval requests: the notification then offers approve / refuse. */
  decision?: { entity: "mission" | "claim"; id: string; expected_state?: string; content_hash?: string; lang?: "fr" | "en" };
  /** The declarative Web Push part: its action titles are written by the server. */
  notification?: { actions?: { action?: unknown; title?: unknown }[] };
}

const ACTION_TITLES = { fr: { approve: "Approuver", refuse: "Refuser" }, en: { approve: "Approve", refuse: "Refuse" } };

/** The button label of `action`: the server's wording, else the app's own. */
function actionTitle(p: PushPayload, action: "approve" | "refuse", lang: "fr" | "en"): string {
  const given = p.notification?.actions?.find((a) => a.action === action)?.title;
  return typeof given === "string" && given.trim() ? given : ACTION_TITLES[lang][action];
}

export function parsePush(data: PushMessageData | null): PushPayload {
  try {
    const parsed = data?.json() as Partial<PushPayload> | undefined;
    if (parsed && typeof parsed.title === "string") return parsed as PushPayload;
  } catch {
    /* not JSON: fall through to a plain text notification */
  }
  return { title: "Nomade", body: data?.text() ?? "", url: "/inbox" };
}

export async function showPush(registration: ServiceWorkerRegistration, data: PushMessageData | null): Promise<void> {
  const p = parsePush(data);
  const lang = p.decision?.lang ?? "fr";
  const options: NotificationOptions & { actions?: { action: string; title: string }[] } = {
    body: p.body ?? "",
    icon: "/icons/icon-192.png",
    badge: "/icons/icon-192.png",
    data: p,
    ...(p.tag ? { tag: p.tag } : {}),
    ...(p.silent ? { silent: true } : {}),
    ...(p.decision ? { actions: [{ action: "approve", title: actionTitle(p, "approve", lang) }, { action: "refuse", title: actionTitle(p, "refuse", lang) }] } : {}),
  };
  await registration.showNotification(p.title, options);
}

/** Where a tap leads: the notification's page; Refuse opens its reason at once. */
export function targetOf(payload: PushPayload | undefined, action: string): string {
  const url = payload?.url ?? "/";
  if (action !== "refuse") return url;
  return url.includes("decision=") ? url : `${url}${url.includes("?") ? "&" : "?"}decision=refuse`;
}

export async function openFromNotification(sw: ServiceWorkerGlobalScope, event: NotificationEvent): Promise<void> {
  const payload = event.notification.data as PushPayload | undefined;
  event.notification.close();
  if (event.action === "approve" && payload?.decision) {
    const { entity, id, expected_state = "submitted", content_hash = null } = payload.decision;
    // The server's decide intent: expected state and the hash of the content that was notified.
    const approval = { id, decision: "approve" as const, expected_state, content_hash: content_hash ?? "", reason: "" };
    await (entity === "claim" ? queueFromWorker("expense_claim.decide", approval) : queueFromWorker("mission.decide", approval));
    await requestBackgroundSync(sw.registration);
    await askClientsToSync(sw.clients);
    return;
  }
  const target = new URL(targetOf(payload, event.action), sw.location.origin).href;
  const windows = await sw.clients.matchAll({ type: "window", includeUncontrolled: true });
  const existing = windows.find((w) => new URL(w.url).origin === sw.location.origin) as WindowClient | undefined;
  if (existing) {
    await existing.focus().catch(() => undefined); // refused without a user gesture: navigate anyway
    const url = new URL(target);
    existing.postMessage({ type: "NAVIGATE", url: `${url.pathname}${url.search}` });
    return;
  }
  await sw.clients.openWindow(target);
}

