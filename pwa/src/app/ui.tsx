/** Shared pieces of every screen: the page frame (title, focus on arrival), status badges,
 * the "waiting to sync" mark. */
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { t, type MessageKey } from "./i18n";
import { pendingDocumentIds, reportPresence } from "./data";

let firstPage = true;

/** A screen: its heading receives the focus when the user arrives (not on the first load), so
 * screen readers announce the new page. */
export function Page({ title, children }: { title: string; children: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Nomade`;
    if (firstPage) firstPage = false;
    else heading.current?.focus();
  }, [title]);
  return (
    <>
      <h1 tabIndex={-1} ref={heading}>{title}</h1>
      {children}
    </>
  );
}

const STATUS_TONE: Record<string, string> = {
  approved: "ok", paid: "ok", received: "ok", refused: "bad", cancelled: "", returned: "warn", draft: "", submitted: "",
};

export function StatusBadge({ status }: { status: string }) {
  const key = `status.${status}` as MessageKey;
  return <span class={`badge ${STATUS_TONE[status] ?? ""}`}>{t(key)}</span>;
}

export function PendingMark({ id }: { id: string }) {
  if (!pendingDocumentIds.value.has(id)) return null;
  return <span class="badge warn">{t("common.pendingSync")}</span>;
}

export function Problem({ message, id }: { message: string | null; id?: string }) {
  return message ? <p class="alert bad" role="alert" id={id}>{message}</p> : null;
}

/** Tells the server which document is open (every 30 s while it stays on screen). */
export function usePresence(kind: string, id: string | undefined): void {
  useEffect(() => {
    if (!id) return undefined;
    reportPresence(kind, id);
    const timer = setInterval(() => reportPresence(kind, id), 30_000);
    return () => clearInterval(timer);
  }, [kind, id]);
}
