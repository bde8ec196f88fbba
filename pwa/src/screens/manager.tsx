/** Manager screens: the approvals inbox sorted by urgency (one tap to approve; refuse or return
 * with a reason) and purchase orders with full or partial service-done certification. All
 * decisions are queued and shown "waiting to sync" while offline. */
import { useRoute } from "preact-iso";
import { useState } from "preact/hooks";
import { approvals, certifyServiceDone, decide, orders, pendingCount, pendingDocumentIds } from "../app/data";
import { formatDateTime, formatMoney, formatNumber, pendingText, t, type MessageKey } from "../app/i18n";
import type { Approval } from "../app/model";
import { byUrgency, isUrgent } from "../app/urgency";
import { Page, PendingMark, Problem, StatusBadge } from "../app/ui";

function ApprovalCard({ a }: { a: Approval }) {
  const [asking, setAsking] = useState<"refuse" | "return" | null>(null);
  const [reason, setReason] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const reasonId = `reason-${a.id}`;
  function confirm(event: Event) {
    event.preventDefault();
    if (!asking) return;
    if (!reason.trim()) return setProblem(t("approvals.reasonPrompt"));
    decide(a.id, asking, reason.trim());
  }
  return (
    <li class="card">
      <div class="row">
        <span class="muted">{t(`approvals.kind.${a.kind}` as MessageKey)}</span>
        {isUrgent(a) && <span class="badge bad">{t("approvals.urgent")}</span>}
      </div>
      <h2>{a.title}</h2>
      <p class="muted">{[a.requester, formatMoney(a.amount_cents)].filter(Boolean).join(" · ")}</p>
      {a.deadline && <p><strong>{t("approvals.deadline", { time: formatDateTime(a.deadline) })}</strong></p>}
      {pendingDocumentIds.value.has(a.document_id) ? (
        <p class="alert" role="status">{t("approvals.decided")} — {t("common.pendingSync")}</p>
      ) : asking ? (
        <form onSubmit={confirm}>
          <label for={reasonId}>{t("approvals.reasonPrompt")}</label>
          <textarea id={reasonId} rows={2} required value={reason} onInput={(e) => setReason((e.currentTarget as HTMLTextAreaElement).value)} />
          <Problem message={problem} />
          <div class="actions">
            <button type="submit" class={asking === "refuse" ? "danger" : ""}>{t("approvals.confirm")}</button>
            <button type="button" class="secondary" onClick={() => setAsking(null)}>{t("common.cancel")}</button>
          </div>
        </form>
      ) : (
        <div class="actions">
          <button type="button" onClick={() => decide(a.id, "approve")} aria-label={`${t("approvals.approve")} : ${a.title}`}>{t("approvals.approve")}</button>
          <button type="button" class="secondary" onClick={() => setAsking("refuse")} aria-label={`${t("approvals.refuse")} : ${a.title}`}>{t("approvals.refuse")}</button>
          <button type="button" class="secondary" onClick={() => setAsking("return")} aria-label={`${t("approvals.return")} : ${a.title}`}>{t("approvals.return")}</button>
        </div>
      )}
    </li>
  );
}

export function ApprovalsInbox() {
  const sorted = [...approvals.value].sort(byUrgency);
  return (
    <Page title={t("approvals.title")}>
      {pendingCount.value > 0 && <p class="alert" role="status">{pendingText(pendingCount.value)}</p>}
      {sorted.length === 0 && <p class="muted">{t("common.empty")}</p>}
      <ul class="plain">{sorted.map((a) => <ApprovalCard key={a.id} a={a} />)}</ul>
    </Page>
  );
}

export function OrderList() {
  return (
    <Page title={t("orders.title")}>
      {orders.value.length === 0 && <p class="muted">{t("common.empty")}</p>}
      <ul class="plain">
        {orders.value.map((o) => (
          <li key={o.id} class="card">
            <a class="cardlink" href={`/orders/${o.id}`}>
              <div class="row"><h2>{o.supplier_name}</h2><StatusBadge status={o.status} /></div>
              <p class="muted">{t("orders.ej")} {o.ej_number}</p>
              <div class="row">
                <span>{formatMoney(o.lines.reduce((s, l) => s + l.quantity * l.unit_price_cents, 0))}</span>
                <PendingMark id={o.id} />
              </div>
            </a>
          </li>
        ))}
      </ul>
    </Page>
  );
}

export function OrderDetail() {
  const { params } = useRoute();
  const o = orders.value.find((x) => x.id === params["id"]);
  const [problem, setProblem] = useState<string | null>(null);
  if (!o) return <Page title={t("orders.title")}><p>{t("common.empty")}</p></Page>;
  const order = o;
  function submit(event: Event) {
    event.preventDefault();
    const f = new FormData(event.currentTarget as HTMLFormElement);
    const received: Record<string, number> = {};
    for (const l of order.lines) {
      const q = Number(f.get(`q-${l.id}`));
      if (!Number.isInteger(q) || q < l.received || q > l.quantity) return setProblem(`${l.label} : ${l.received}–${l.quantity}`);
      received[l.id] = q;
    }
    setProblem(null);
    certifyServiceDone(order.id, received, String(f.get("comment") ?? ""));
  }
  function all() {
    certifyServiceDone(order.id, null, "");
  }
  return (
    <Page title={`${order.supplier_name} — ${order.ej_number}`}>
      <div class="row"><StatusBadge status={order.status} /><PendingMark id={order.id} /></div>
      <form onSubmit={submit}>
        <fieldset>
          <legend>{t("orders.certify")}</legend>
          {order.lines.map((l) => (
            <div key={l.id}>
              <label for={`q-${l.id}`}>{l.label} — {t("orders.received")} ({formatNumber(l.quantity)} {t("orders.ordered")})</label>
              <input id={`q-${l.id}`} name={`q-${l.id}`} type="number" inputMode="numeric" min={l.received} max={l.quantity} value={String(l.received)} />
            </div>
          ))}
          <label for="comment">{t("orders.comment")}</label>
          <textarea id="comment" name="comment" rows={2} />
        </fieldset>
        <Problem message={problem} />
        <div class="actions">
          <button type="submit" class="secondary">{t("orders.certify")}</button>
          {order.status !== "received" && <button type="button" onClick={all}>{t("orders.certifyAll")}</button>}
        </div>
      </form>
    </Page>
  );
}
