/** Manager screens: the approvals inbox sorted by urgency (each card opens its decision screen;
 * clean requests can be approved at once, several together) and purchase orders with full or
 * partial service-done certification. Decisions are held a few seconds (undo), then queued and
 * shown "waiting to sync" while offline. */
import { useRoute } from "preact-iso";
import { useEffect, useState } from "preact/hooks";
import {
  approvals, approveMany, certifyServiceDone, decideLater, decisionRefusal, dismissRejection, isHeld, onBehalfOf, orders,
  pendingCount, pendingDocumentIds, refreshOnBehalf, revokeServiceDone,
} from "../app/data";
import { bulkApprovable } from "../app/decisions";
import { formatDateTime, formatMoney, formatNumber, language, pendingText, t, type MessageKey } from "../app/i18n";
import type { Approval } from "../app/model";
import { byUrgency, isUrgent } from "../app/urgency";
import { Page, PendingMark, Problem, StatusBadge } from "../app/ui";
import { DecisionStatus } from "./decision-status";

export const decisionHref = (a: Approval): string => `/approvals/${a.kind}/${a.document_id}`;

function ApprovalCard({ a, selected, onSelect }: { a: Approval; selected: boolean; onSelect: (on: boolean) => void }) {
  const clean = bulkApprovable(a);
  const waiting = isHeld(a.id) || pendingDocumentIds.value.has(a.document_id);
  const pick = `pick-${a.id}`;
  const lender = a.kind !== "service_done" ? onBehalfOf(a.agent_id) : "";
  return (
    <li class="card" data-approval={a.id}>
      <div class="row">
        <span class="muted">{t(`approvals.kind.${a.kind}` as MessageKey)}</span>
        {isUrgent(a) && <span class="badge bad">{t("approvals.urgent")}</span>}
        {a.escalated && <span class="badge warn">{t("approvals.escalated")}</span>}
        {a.findings > 0 && <span class="badge warn">{t("decision.findingsCount", { n: a.findings })}</span>}
      </div>
      <h2><a href={decisionHref(a)}>{a.title}</a></h2>
      <p class="muted">{[a.requester, formatMoney(a.amount_cents)].filter(Boolean).join(" · ")}</p>
      {lender && <p data-on-behalf>{t("approvals.onBehalf", { name: lender })}</p>}
      {a.deadline && <p><strong>{t("approvals.deadline", { time: formatDateTime(a.deadline) })}</strong></p>}
      {waiting ? (
        <p class="muted">{t("approvals.decided")} — {t("common.pendingSync")}</p>
      ) : clean ? (
        <div class="actions">
          <label class="pick" for={pick}>
            <input id={pick} type="checkbox" checked={selected} onChange={(e) => onSelect((e.currentTarget as HTMLInputElement).checked)} />
            <span class="sr-only">{t("bulk.select", { title: a.title })}</span>
          </label>
          <button type="button" onClick={() => decideLater({ approvalId: a.id, title: a.title, decision: "approve", reason: "" })}
            aria-label={`${t("approvals.approve")} : ${a.title}`}>{t("approvals.approve")}</button>
          <a class="button secondary" href={decisionHref(a)} aria-label={`${t("decision.open")} : ${a.title}`}>{t("decision.open")}</a>
        </div>
      ) : (
        <div class="actions">
          <a class="button" href={decisionHref(a)} aria-label={`${a.findings > 0 ? t("bulk.needsOpening") : t("decision.open")} : ${a.title}`}>{a.findings > 0 ? t("bulk.needsOpening") : t("decision.open")}</a>
        </div>
      )}
    </li>
  );
}

export function ApprovalsInbox() {
  const sorted = [...approvals.value].sort(byUrgency);
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  // Whose requests the user decides as a delegate changes with delegations, which change the
  // synced rows too (a new requester's cards arrive): ask again when the requesters change.
  const requesters = [...new Set(sorted.map((a) => a.agent_id ?? ""))].sort().join(",");
  useEffect(() => { void refreshOnBehalf(); }, [requesters]);
  const chosen = sorted.filter((a) => picked.has(a.id) && bulkApprovable(a) && !isHeld(a.id) && !pendingDocumentIds.value.has(a.document_id));
  function select(id: string, on: boolean) {
    const next = new Set(picked);
    if (on) next.add(id); else next.delete(id);
    setPicked(next);
  }
  return (
    <Page title={t("approvals.title")}>
      <DecisionStatus />
      {pendingCount.value > 0 && <p class="alert" role="status">{pendingText(pendingCount.value)}</p>}
      {chosen.length > 0 && (
        <div class="actions">
          <button type="button" onClick={() => { approveMany(chosen); setPicked(new Set()); }}>{t("bulk.approve", { n: chosen.length })}</button>
        </div>
      )}
      {sorted.length === 0 && <p class="muted">{t("common.empty")}</p>}
      <ul class="plain">{sorted.map((a) => <ApprovalCard key={a.id} a={a} selected={picked.has(a.id)} onSelect={(on) => select(a.id, on)} />)}</ul>
      <p><a href="/delegations">{t("delegations.title")}</a></p>
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
      {order.status !== "open" && <Revocation orderId={order.id} />}
    </Page>
  );
}

/** Revoking service done (a reason is required; the supplier sees it on the invoice). */
function Revocation({ orderId }: { orderId: string }) {
  const [problem, setProblem] = useState<string | null>(null);
  const [queued, setQueued] = useState(false);
  const refusal = decisionRefusal(orderId);
  function submit(event: Event) {
    event.preventDefault();
    const reason = String(new FormData(event.currentTarget as HTMLFormElement).get("revoke-reason") ?? "").trim();
    if (!reason) return setProblem(t("orders.revokeReasonRequired"));
    setProblem(null);
    revokeServiceDone(orderId, reason);
    setQueued(true);
  }
  return (
    <form onSubmit={submit} aria-labelledby="revoke-title">
      <h2 id="revoke-title">{t("orders.revokeTitle")}</h2>
      <p class="muted">{t("orders.revokeHelp")}</p>
      {refusal && (
        <div class="alert bad" role="alert" data-refusal={refusal.code}>
          <p>{refusal.message[language.value]}</p>
          <button type="button" class="secondary" onClick={() => dismissRejection(refusal.key)}>{t("decision.understood")}</button>
        </div>
      )}
      <label for="revoke-reason">{t("orders.revokeReason")}</label>
      <textarea id="revoke-reason" name="revoke-reason" rows={2} onInput={() => setProblem(null)} aria-required="true" aria-invalid={problem ? "true" : undefined} aria-describedby={problem ? "revoke-problem" : undefined} />
      <Problem message={problem} id="revoke-problem" />
      {queued && !refusal && <p role="status">{t("orders.revokeQueued")}</p>}
      <div class="actions"><button type="submit" class="secondary">{t("orders.revoke")}</button></div>
    </form>
  );
}
