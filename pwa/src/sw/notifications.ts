/// <reference lib="webworker" />
/** Push display and notification clicks. Approve/refuse actions queue a sync intent in
 * IndexedDB (works offline); a plain click focuses an open window or opens the document. */
import { queueFromWorker } from "./outbox";
import { askClientsToSync, requestBackgroundSync } from "./background-sync";

export interface PushPayload {
  title: string;
  body?: string;
  url?: string;
  tag?: string;
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
const REFUSED_FROM_NOTIFICATION = { fr: "Refusé depuis la notification", en: "Refused from the notification" };

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
    ...(p.decision ? { actions: [{ action: "approve", title: actionTitle(p, "approve", lang) }, { action: "refuse", title: actionTitle(p, "refuse", lang) }] } : {}),
  };
  await registration.showNotification(p.title, options);
}

export async function openFromNotification(sw: ServiceWorkerGlobalScope, event: NotificationEvent): Promise<void> {
  const payload = event.notification.data as PushPayload | undefined;
  event.notification.close();
  if ((event.action === "approve" || event.action === "refuse") && payload?.decision) {
    const { entity, id, expected_state = "submitted", content_hash = null, lang = "fr" } = payload.decision;
    const reply = (event as NotificationEvent & { reply?: string | null }).reply;
    // The server's decide intent: expected state and the hash of the content that was notified.
    await queueFromWorker(`${entity === "claim" ? "expense_claim" : entity}.decide`, {
      id, decision: event.action, expected_state, content_hash: content_hash ?? "",
      reason: event.action === "refuse" ? (reply || REFUSED_FROM_NOTIFICATION[lang]) : "",
    });
    await requestBackgroundSync(sw.registration);
    await askClientsToSync(sw.clients);
    return;
  }
  const target = new URL(payload?.url ?? "/", sw.location.origin).href;
  const windows = await sw.clients.matchAll({ type: "window", includeUncontrolled: true });
  const existing = windows.find((w) => new URL(w.url).origin === sw.location.origin) as WindowClient | undefined;
  if (existing) {
    await existing.focus();
    existing.postMessage({ type: "NAVIGATE", url: new URL(target).pathname });
    return;
  }
  await sw.clients.openWindow(target);
}
