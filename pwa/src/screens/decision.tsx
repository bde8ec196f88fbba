/** The decision screen of one request (/approvals/:kind/:id), reachable from the approvals list and
 * from a notification: everything needed to decide (mission: dates, transport, bookings with a
 * live countdown, the agent's other missions; claim: lines with receipts and the server's
 * findings, duplicates first; service done: order lines with the assisted proposal), then
 * approve, or refuse/return with a reason. A refusal from the server is explained here. */
import { useEffect, useRef, useState } from "preact/hooks";
import { useLocation, useRoute } from "preact-iso";
import {
  allRows, approvals, decideLater, decisionRefusal, dismissRejection, documentRow, isHeld, lines, onBehalfOf, orders,
  pendingDocumentIds, refreshOnBehalf, serviceDoneProposal,
} from "../app/data";
import { bookingsOf, findingsOf, linesToRead, otherMissions, refusalKind, remaining, type Finding } from "../app/decisions";
import { formatDate, formatDateTime, formatMoney, formatNumber, language, t, type MessageKey } from "../app/i18n";
import type { Approval, ExpenseLine, PurchaseOrder } from "../app/model";
import { ReceiptPreview } from "../app/receipt";
import { held, toClaim } from "../app/rows";
import { Page, Problem, StatusBadge, usePresence } from "../app/ui";
import { CommentThread } from "./comments";
import { DecisionStatus } from "./decision-status";

const ENTITY = { mission: "mission", claim: "expense_claim", service_done: "purchase_order" } as const;
type Kind = keyof typeof ENTITY;
const isKind = (k: string | undefined): k is Kind => k === "mission" || k === "claim" || k === "service_done";

/** Re-renders every second while mounted (live countdowns). */
function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

function Countdown({ expiresAt }: { expiresAt: string }) {
  const now = useNow();
  const left = remaining(expiresAt, now);
  if (!left) return <p class="alert bad">{t("decision.expired")}</p>;
  const pad = (n: number) => String(n).padStart(2, "0");
  const time = `${left.days > 0 ? `${left.days} j ` : ""}${pad(left.hours)}:${pad(left.minutes)}:${pad(left.seconds)}`;
  // The visible clock ticks; screen readers get the expiry instant once, not every second.
  return (
    <p>
      <strong aria-hidden="true">{t("decision.expiresIn", { time })}</strong>
      <span class="sr-only">{formatDateTime(expiresAt)}</span>
    </p>
  );
}

/** The server's refusal of a decision on this document, in plain words. */
function RefusalNotice({ documentId }: { documentId: string }) {
  const refusal = decisionRefusal(documentId);
  if (!refusal) return null;
  const kind = refusalKind(refusal.code, refusal.state);
  const text = kind === "other"
    ? t("decision.refusal.other", { message: refusal.message[language.value] })
    : t(`decision.refusal.${kind}` as MessageKey);
  return (
    <div class="alert bad" role="alert" data-refusal={refusal.code}>
      <strong>{t("decision.refusalTitle")}</strong>
      <p>{text}</p>
      <button type="button" class="secondary" onClick={() => dismissRejection(refusal.key)}>{t("decision.understood")}</button>
    </div>
  );
}

/** Approve, or refuse/return with a required reason. `?decision=refuse` (from the notification's
 * Refuse button) opens the reason at once. */
function DecisionBar({ a, canReturn }: { a: Approval; canReturn: boolean }) {
  const { query } = useLocation();
  const wanted = query["decision"] === "refuse" ? "refuse" : null;
  const [asking, setAsking] = useState<"refuse" | "return" | null>(wanted);
  const [reason, setReason] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const field = useRef<HTMLTextAreaElement>(null);
  useEffect(() => { if (asking) field.current?.focus(); }, [asking]);
  if (isHeld(a.id) || pendingDocumentIds.value.has(a.document_id)) return <DecisionStatus />;
  function confirm(event: Event) {
    event.preventDefault();
    if (!asking) return;
    if (!reason.trim()) return setProblem(t("approvals.reasonPrompt"));
    decideLater({ approvalId: a.id, title: a.title, decision: asking, reason: reason.trim() });
  }
  return asking ? (
    <form onSubmit={confirm} class="card">
      <label for="decision-reason">{t("approvals.reasonPrompt")}</label>
      <textarea id="decision-reason" ref={field} rows={3} required value={reason}
        onInput={(e) => setReason((e.currentTarget as HTMLTextAreaElement).value)} />
      <Problem message={problem} />
      <div class="actions">
        <button type="submit" class={asking === "refuse" ? "danger" : ""}>{t(asking === "refuse" ? "approvals.refuse" : "approvals.return")}</button>
        <button type="button" class="secondary" onClick={() => setAsking(null)}>{t("common.cancel")}</button>
      </div>
    </form>
  ) : (
    <div class="actions">
      <button type="button" onClick={() => decideLater({ approvalId: a.id, title: a.title, decision: "approve", reason: "" })}>{t("approvals.approve")}</button>
      <button type="button" class="secondary" onClick={() => setAsking("refuse")}>{t("approvals.refuse")}</button>
      {canReturn && <button type="button" class="secondary" onClick={() => setAsking("return")}>{t("approvals.return")}</button>}
    </div>
  );
}

function MissionFacts({ id }: { id: string }) {
  const row = documentRow("mission", id).value;
  if (!row) return null;
  const d = held<"mission">(row);
  const others = otherMissions(allRows("mission").value, row);
  const bookings = bookingsOf(d.bookings);
  return (
    <>
      <section class="card" aria-labelledby="mission-facts">
        <h2 id="mission-facts">{d.purpose ?? ""}</h2>
        <p>{d.destination ?? ""}</p>
        <p>{t("decision.dates", { from: formatDate(d.starts_on ?? ""), to: formatDate(d.ends_on ?? "") })}</p>
        <p>{t("decision.transport", { value: t(`transport.${d.transport ?? "other"}` as MessageKey) })}</p>
        <p><strong>{t("decision.estimate", { amount: formatMoney(d.estimated_cost_cents ?? 0) })}</strong></p>
      </section>
      {bookings.length > 0 && (
        <section class="card" aria-labelledby="mission-bookings">
          <h2 id="mission-bookings">{t("decision.bookings")}</h2>
          <ul class="plain">
            {bookings.map((b, n) => (
              <li key={n}>
                <p>{b.label} — {t("decision.fare", { amount: formatMoney(b.fare_cents) })}</p>
                {b.expires_at && <Countdown expiresAt={b.expires_at} />}
              </li>
            ))}
          </ul>
        </section>
      )}
      <section class="card" aria-labelledby="mission-others">
        <h2 id="mission-others">{t("decision.otherMissions")}</h2>
        {others.length === 0 ? <p class="muted">{t("decision.noOtherMissions")}</p> : (
          <ul>
            {others.map((row) => held<"mission">(row)).map((o, n) => (
              <li key={others[n]?.id}>
                {o.purpose ?? ""} — {o.destination ?? ""} ({formatDate(o.starts_on ?? "")} – {formatDate(o.ends_on ?? "")}) <StatusBadge status={o.state ?? ""} />
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

function FindingList({ items }: { items: readonly Finding[] }) {
  return (
    <ul class="findings">
      {items.map((f, n) => <li key={n} class={f.severity === "blocking" || f.code === "DUPLICATE_RECEIPT" ? "bad" : ""} data-finding={f.code}>{f[language.value]}</li>)}
    </ul>
  );
}

function ClaimLine({ line, findings }: { line: ExpenseLine; findings: readonly Finding[] }) {
  const mine = findings.filter((f) => f.line_id === line.id);
  const label = `${t(`category.${line.category}` as MessageKey)} — ${formatMoney(line.amount_cents, line.currency)}`;
  return (
    <li class="card" data-line={line.id}>
      <h3>{label}</h3>
      <p class="muted">{[line.merchant, formatDate(line.spent_on)].filter(Boolean).join(" · ")}</p>
      {mine.length > 0 && <FindingList items={mine} />}
      {line.receipt_blob && <ReceiptPreview line={line} sha256={line.receipt_blob} />}
    </li>
  );
}

function ClaimFacts({ id }: { id: string }) {
  const row = documentRow("expense_claim", id).value;
  const mission = documentRow("mission", row ? toClaim(row).mission_id : "").value;
  if (!row) return null;
  const claim = held<"expense_claim">(row), ofMission = mission ? held<"mission">(mission) : null;
  const findings = findingsOf(claim.findings);
  const mine = linesToRead(lines.value.filter((l) => l.claim_id === id), findings);
  const total = claim.total_cents ?? 0;
  const estimate = ofMission?.estimated_cost_cents ?? 0;
  const general = findings.filter((f) => !mine.some((l) => l.id === f.line_id));
  return (
    <>
      <section class="card" aria-labelledby="claim-total">
        <h2 id="claim-total">{formatMoney(total)}</h2>
        {ofMission && <p>{ofMission.purpose ?? ""} — {ofMission.destination ?? ""}</p>}
        {estimate > 0 && <p>{t("decision.totalVsEstimate", { total: formatMoney(total), estimate: formatMoney(estimate) })}</p>}
        {estimate > 0 && total > estimate && <p class="alert">{t("decision.overEstimate", { amount: formatMoney(total - estimate) })}</p>}
        <h3>{t("decision.findings")}</h3>
        {findings.length === 0 ? <p class="muted">{t("decision.noFindings")}</p> : general.length > 0 && <FindingList items={general} />}
      </section>
      <h2>{t("claims.lines")}</h2>
      <ul class="plain">{mine.map((l) => <ClaimLine key={l.id} line={l} findings={findings} />)}</ul>
    </>
  );
}

function ServiceDone({ order, a }: { order: PurchaseOrder; a: Approval }) {
  const [proposal, setProposal] = useState<Record<string, number> | null | "loading">("loading");
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => { void serviceDoneProposal(order.id).then(setProposal); }, [order.id, order.round]);
  if (isHeld(a.id) || pendingDocumentIds.value.has(order.id)) return <DecisionStatus />;
  const start = (lineId: string, received: number) =>
    proposal !== null && proposal !== "loading" && lineId in proposal ? Math.max(received, proposal[lineId] ?? received) : received;
  function submit(event: Event) {
    event.preventDefault();
    const f = new FormData(event.currentTarget as HTMLFormElement);
    const received: Record<string, number> = {};
    for (const l of order.lines) {
      const q = Number(f.get(`q-${l.id}`));
      if (!Number.isFinite(q) || q < l.received || q > l.quantity) return setProblem(`${l.label} : ${formatNumber(l.received)}–${formatNumber(l.quantity)}`);
      received[l.id] = q;
    }
    setProblem(null);
    certify(received, String(f.get("comment") ?? ""));
  }
  const certify = (received: Record<string, number> | null, comment: string) =>
    decideLater({ approvalId: a.id, title: a.title, decision: "approve", reason: "", certify: { orderId: order.id, received, comment } });
  return (
    <form onSubmit={submit}>
      <fieldset class="card">
        <legend>{t("decision.orderLines")}</legend>
        {proposal === null && <p class="muted">{t("decision.proposalOffline")}</p>}
        {proposal !== null && proposal !== "loading" && <p class="muted">{t("decision.proposal")}</p>}
        {order.lines.map((l) => (
          <div key={`${l.id}-${proposal === "loading" ? "l" : "p"}`}>
            <label for={`q-${l.id}`}>{l.label} — {t("orders.received")} ({formatNumber(l.received)} / {formatNumber(l.quantity)} {t("orders.ordered")}, {formatMoney(l.unit_price_cents)})</label>
            <input id={`q-${l.id}`} name={`q-${l.id}`} type="number" inputMode="decimal" step="any" min={l.received} max={l.quantity} value={String(start(l.id, l.received))} />
          </div>
        ))}
        <label for="comment">{t("orders.comment")}</label>
        <textarea id="comment" name="comment" rows={2} />
      </fieldset>
      <p class="muted">{t("decision.partialEffect")}</p>
      <p class="muted">{t("decision.wholeEffect")}</p>
      <Problem message={problem} />
      <div class="actions">
        <button type="submit">{t("orders.certify")}</button>
        <button type="button" class="secondary" onClick={() => certify(null, "")}>{t("orders.certifyAll")}</button>
      </div>
    </form>
  );
}

export function DecisionScreen() {
  const { params } = useRoute();
  const kind = params["kind"], id = params["id"] ?? "";
  usePresence(isKind(kind) ? (kind === "service_done" ? "purchase_order" : kind) : "", id);
  const a = isKind(kind) ? approvals.value.find((x) => x.kind === kind && x.document_id === id) : undefined;
  const order = kind === "service_done" ? orders.value.find((o) => o.id === id) : undefined;
  const title = a ? a.title : t("approvals.title");
  useEffect(() => { void refreshOnBehalf(); }, []);
  const lender = a && a.kind !== "service_done" ? onBehalfOf(a.agent_id) : "";
  return (
    <Page title={title}>
      <p><a href="/approvals">{t("decision.back")}</a></p>
      {isKind(kind) && <RefusalNotice documentId={id} />}
      {!a || !isKind(kind) ? (
        <>
          <DecisionStatus />
          <p>{t("decision.gone")}</p>
          {(kind === "mission" || kind === "claim") && documentRow(ENTITY[kind], id).value && (
            <CommentThread documentType={ENTITY[kind]} documentId={id} asking />
          )}
        </>
      ) : (
        <>
          <div class="row">
            <span class="muted">{t(`approvals.kind.${a.kind}` as MessageKey)}</span>
            {a.requester && a.kind !== "service_done" && <span class="muted">{t("decision.requester", { name: a.requester })}</span>}
          </div>
          {lender && <p class="badge" data-on-behalf>{t("approvals.onBehalf", { name: lender })}</p>}
          {kind === "mission" && <MissionFacts id={id} />}
          {kind === "claim" && <ClaimFacts id={id} />}
          {kind !== "service_done" && <CommentThread documentType={ENTITY[kind]} documentId={id} asking />}
          {kind === "service_done" && order ? <ServiceDone order={order} a={a} /> : <DecisionBar a={a} canReturn={kind !== "service_done"} />}
        </>
      )}
    </Page>
  );
}

export { ENTITY as DECISION_ENTITIES };
