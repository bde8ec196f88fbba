/** Supplier screens: invoices (search, filters, sort, CSV export), invoice detail with its
 * payment deadline, what late payment owes, payments, status history with provenance and
 * documents, the answer to a suspension; statistics as accessible inline SVG charts. */
import { useRoute } from "preact-iso";
import { useEffect, useState } from "preact/hooks";
import { answerInvoice, invoices, syncNow } from "../app/data";
import { formatDate, formatMoney, formatNumber, language, parseMoneyToCents, t, type MessageKey } from "../app/i18n";
import {
  amountsPerStage, deadlineOf, filterInvoices, invoicesCsv, lateInvoices, median, paymentDelays, STAGES,
  type InvoiceQuery, type Stage,
} from "../app/invoice-stages";
import type { Invoice } from "../app/model";
import { Page, usePresence } from "../app/ui";
import { CompanyRequestsLink } from "./supplier-admin-link";

const statusLabel = (code: string): string => t(`invoice.${code}` as MessageKey);

/** The deadline in words, or null when there is none to show (rejected). */
function deadlineText(i: Invoice): string | null {
  const d = deadlineOf(i);
  switch (d.kind) {
    case "none": return null;
    case "interrupted": return t("deadline.interrupted");
    case "left": return t("deadline.left", { date: formatDate(d.due), n: formatNumber(d.days) });
    case "late": return t("deadline.late", { date: formatDate(d.due), n: formatNumber(d.days) });
    case "paid": return t(d.late ? "deadline.paidLate" : "deadline.paidOnTime", { date: formatDate(d.due) });
  }
}

/** Offers the listed invoices as a CSV file (made on the phone: works offline). */
function exportCsv(shown: Invoice[]): void {
  const csv = invoicesCsv(shown, language.value, statusLabel);
  const url = URL.createObjectURL(new Blob(["\ufeff" + csv], { type: "text/csv;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = `${language.value === "fr" ? "factures" : "invoices"}-${new Date().toISOString().slice(0, 10)}.csv`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function InvoiceList() {
  const [q, setQ] = useState<InvoiceQuery>({ text: "", stage: "", from: "", to: "", minCents: null, maxCents: null, buyer: "", sort: "date", show: "" });
  const update = (patch: Partial<InvoiceQuery>) => setQ({ ...q, ...patch });
  const value = (e: Event) => (e.currentTarget as HTMLInputElement).value;
  const buyers = [...new Set(invoices.value.map((i) => i.buyer))].sort();
  const shown = filterInvoices(invoices.value, q);
  return (
    <Page title={t("invoices.title")}>
      <CompanyRequestsLink />
      <form role="search" onSubmit={(e) => e.preventDefault()}>
        <label for="q">{t("invoices.search")}</label>
        <input id="q" type="search" value={q.text} onInput={(e) => update({ text: value(e) })} />
        <div class="grid2">
          <div>
            <label for="show">{t("invoices.show")}</label>
            <select id="show" value={q.show} onChange={(e) => update({ show: value(e) as InvoiceQuery["show"] })}>
              <option value="">{t("common.all")}</option>
              <option value="late">{t("invoices.show.late")}</option>
              <option value="action">{t("invoices.show.action")}</option>
            </select>
          </div>
          <div>
            <label for="sort">{t("invoices.sort")}</label>
            <select id="sort" value={q.sort} onChange={(e) => update({ sort: value(e) as InvoiceQuery["sort"] })}>
              <option value="date">{t("invoices.sort.date")}</option>
              <option value="due">{t("invoices.sort.due")}</option>
              <option value="lateness">{t("invoices.sort.lateness")}</option>
              <option value="amount">{t("invoices.sort.amount")}</option>
              <option value="status">{t("invoices.sort.status")}</option>
            </select>
          </div>
        </div>
        <details>
          <summary class="button secondary" style="margin-top:8px">{t("invoices.moreFilters")}</summary>
          <label for="stage">{t("invoices.filterStatus")}</label>
          <select id="stage" value={q.stage} onChange={(e) => update({ stage: value(e) as Stage | "" })}>
            <option value="">{t("common.all")}</option>
            {STAGES.map((s) => <option key={s} value={s}>{t(`stage.${s}` as MessageKey)}</option>)}
          </select>
          <label for="buyer">{t("invoices.buyer")}</label>
          <select id="buyer" value={q.buyer} onChange={(e) => update({ buyer: value(e) })}>
            <option value="">{t("common.all")}</option>
            {buyers.map((b) => <option key={b} value={b}>{b}</option>)}
          </select>
          <div class="grid2">
            <div><label for="from">{t("common.from")}</label><input id="from" type="date" value={q.from} onInput={(e) => update({ from: value(e) })} /></div>
            <div><label for="to">{t("common.to")}</label><input id="to" type="date" value={q.to} onInput={(e) => update({ to: value(e) })} /></div>
            <div><label for="min">{t("invoices.minAmount")}</label><input id="min" inputMode="decimal" onInput={(e) => update({ minCents: parseMoneyToCents(value(e)) })} /></div>
            <div><label for="max">{t("invoices.maxAmount")}</label><input id="max" inputMode="decimal" onInput={(e) => update({ maxCents: parseMoneyToCents(value(e)) })} /></div>
          </div>
        </details>
      </form>
      <div class="row">
        <p class="muted" role="status">{t("invoices.count", { n: shown.length })}</p>
        <button type="button" class="button secondary" onClick={() => exportCsv(shown)} disabled={shown.length === 0}>{t("invoices.export")}</button>
      </div>
      <ul class="plain">
        {shown.map((i) => {
          const deadline = deadlineOf(i);
          const when = deadlineText(i);
          return (
            <li key={i.id} class="card">
              <a class="cardlink" href={`/invoices/${i.id}`}>
                <div class="row"><h2>{i.number}</h2><strong>{formatMoney(i.amount_ttc_cents)}</strong></div>
                <p class="muted">{i.buyer} · {formatDate(i.issued_on)}</p>
                <span class={`badge ${i.action_needed ? "bad" : i.stage === "paid" ? "ok" : ""}`}>{statusLabel(i.status)}</span>
                {when && deadline.kind !== "paid" && <p class={deadline.kind === "late" ? "bad" : "muted"} data-deadline={deadline.kind}>{when}</p>}
              </a>
            </li>
          );
        })}
      </ul>
    </Page>
  );
}

/** What late payment owes: interest at the dated rate and the €40 indemnity (server figures). */
function LateChargesCard({ i }: { i: Invoice }) {
  const c = i.late_charges;
  if (!c || c.interest_cents + c.indemnity_cents === 0) return null;
  return (
    <section class="card" aria-labelledby="charges-title">
      <h2 id="charges-title">{t("charges.title")}</h2>
      <dl>
        <dt class="muted">{t("charges.interest", { rate: c.rate_percent ? formatNumber(Number(c.rate_percent), language.value, 2) : "—", n: formatNumber(c.days_late) })}</dt>
        <dd data-interest-cents={c.interest_cents}>{formatMoney(c.interest_cents)}</dd>
        <dt class="muted">{t("charges.indemnity")}</dt><dd>{formatMoney(c.indemnity_cents)}</dd>
        <dt><strong>{t("charges.total")}</strong></dt><dd><strong>{formatMoney(c.interest_cents + c.indemnity_cents)}</strong></dd>
      </dl>
      {!i.paid_on && <p class="muted">{t("charges.asOf", { date: formatDate(c.as_of) })}</p>}
    </section>
  );
}

function Payments({ i }: { i: Invoice }) {
  const payments = i.payments ?? [];
  if (payments.length === 0) return null;
  return (
    <section class="card" aria-labelledby="payments-title">
      <h2 id="payments-title">{t("payments.title")}</h2>
      <ul class="plain">
        {payments.map((p) => (
          <li key={`${p.paid_at}-${p.bank_reference}`}>
            <strong>{formatMoney(p.amount_cents)}</strong> — <time dateTime={p.paid_at}>{formatDate(p.paid_at)}</time>
            {p.bank_reference && <div class="muted">{t("payments.reference", { ref: p.bank_reference })}</div>}
          </li>
        ))}
      </ul>
      <p><strong>{t("payments.paid", { paid: formatMoney(i.amount_paid_cents ?? 0), due: formatMoney(i.amount_to_pay_cents) })}</strong></p>
    </section>
  );
}

/** The answer to a suspension: what was asked, a message, photos or PDFs (queued offline). */
function AnswerForm({ i, onSent }: { i: Invoice; onSent: () => void }) {
  const [message, setMessage] = useState("");
  const [files, setFiles] = useState<File[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const asked = i.status_reason || [...i.history].reverse().find((e) => e.status === "SUSPENDUE")?.reason || "";
  const picked = (e: Event) => {
    const input = e.currentTarget as HTMLInputElement;
    setFiles([...files, ...Array.from(input.files ?? [])].slice(0, 10));
    input.value = "";
  };
  async function send(e: Event) {
    e.preventDefault();
    if (!message.trim() && files.length === 0) { setProblem(t("answer.empty")); return; }
    const failed = await answerInvoice(i.id, message.trim(), files);
    if (failed) setProblem(failed.message[language.value]);
    else { setProblem(null); onSent(); }
  }
  return (
    <form class="card" aria-labelledby="answer-title" onSubmit={send}>
      <h2 id="answer-title">{t("answer.title")}</h2>
      <p><strong>{t("answer.asked")}</strong> <span data-reason>{asked}</span></p>
      <label for="answer-message">{t("answer.message")}</label>
      <textarea id="answer-message" rows={3} maxLength={2000} value={message} onInput={(e) => setMessage((e.currentTarget as HTMLTextAreaElement).value)} />
      <fieldset>
        <legend>{t("answer.documents")}</legend>
        <div class="actions">
          <input id="doc-camera" class="sr-only" type="file" accept="image/*" capture="environment" onChange={picked} />
          <label class="button" for="doc-camera" style="margin:0">{t("claims.takePhoto")}</label>
          <input id="doc-picker" class="sr-only" type="file" accept="image/*,application/pdf" multiple onChange={picked} />
          <label class="button secondary" for="doc-picker" style="margin:0">{t("claims.pickFile")}</label>
        </div>
        {files.length > 0 && (
          <ul class="plain">
            {files.map((f, n) => (
              <li key={`${f.name}-${n}`} class="row">
                <span>{f.name || f.type}</span>
                <button type="button" class="link" onClick={() => setFiles(files.filter((_, k) => k !== n))}>{t("answer.remove", { name: f.name || f.type })}</button>
              </li>
            ))}
          </ul>
        )}
      </fieldset>
      {problem && <p class="alert bad" role="alert">{problem}</p>}
      <button type="submit" class="button">{t("answer.send")}</button>
    </form>
  );
}

export function InvoiceDetail() {
  const { params } = useRoute();
  usePresence("invoice", params["id"]);
  const [answered, setAnswered] = useState<string | null>(null);
  const i = invoices.value.find((x) => x.id === params["id"]);
  // Opened from a push about an invoice the phone has not pulled yet: pull now.
  const missing = i === undefined;
  useEffect(() => { if (missing) void syncNow(); }, [params["id"], missing]);
  if (!i) return <Page title={t("invoices.title")}><p>{t("common.empty")}</p></Page>;
  const when = deadlineText(i);
  return (
    <Page title={i.number}>
      <div class="card">
        <p><strong data-status={i.status}>{statusLabel(i.status)}</strong></p>
        {i.action_needed && <p class="alert bad"><strong>{t("invoices.actionNeeded")}</strong> — {t(`action.${i.status}` as MessageKey)}</p>}
        <dl>
          <dt class="muted">{t("invoices.buyer")}</dt><dd>{i.buyer}</dd>
          <dt class="muted">{t("common.total")}</dt><dd>{formatMoney(i.amount_ttc_cents)}</dd>
          <dt class="muted">{t("invoices.toPay")}</dt><dd>{formatMoney(i.amount_to_pay_cents)}</dd>
          {i.status === "SERVICE_FAIT_PARTIEL" && <><dt class="muted">{t("invoices.certified")}</dt><dd>{formatMoney(i.certified_cents ?? 0)}</dd></>}
          {when && <><dt class="muted">{t("deadline.title")}</dt><dd data-deadline={deadlineOf(i).kind}>{when}</dd></>}
        </dl>
      </div>
      {answered === i.id && <p class="alert" role="status">{t("answer.sent")}</p>}
      {i.status === "SUSPENDUE" && <AnswerForm key={i.id} i={i} onSent={() => setAnswered(i.id)} />}
      <LateChargesCard i={i} />
      <Payments i={i} />
      <h2>{t("invoices.timeline")}</h2>
      <ol class="timeline">
        {[...i.history].reverse().map((e) => (
          <li key={`${e.status}-${e.at}`}>
            <strong>{statusLabel(e.status)}</strong>
            <div class="muted">
              <time dateTime={e.at}>{formatDate(e.at)}</time>
              {e.source && <> · {t(e.source === "nomade" ? "source.nomade" : "source.financial")}</>}
            </div>
            {e.reason && <div>{t("common.reasonIs", { reason: e.reason })}</div>}
            {e.attachments && e.attachments.length > 0 && (
              <ul>{e.attachments.map((a) => <li key={a.sha256}>{a.name || a.content_type}</li>)}</ul>
            )}
          </li>
        ))}
      </ol>
    </Page>
  );
}

/** A horizontal bar chart; the figures are also given as a table for screen readers. */
function BarChart({ title, rows }: { title: string; rows: { label: string; value: number; text: string }[] }) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  const rowH = 34;
  const summary = rows.length > 0 ? rows.map((r) => `${r.label} ${r.text}`).join(", ") : t("stats.chartEmpty");
  return (
    <figure class="card chart">
      <figcaption><h2>{title}</h2></figcaption>
      <svg viewBox={`0 0 320 ${Math.max(1, rows.length) * rowH}`} role="img" aria-label={`${title} : ${summary}`}>
        {rows.length === 0 && <text x="0" y="20" font-size="13" fill="#374151">{t("stats.chartEmpty")}</text>}
        {rows.map((r, n) => (
          <g key={r.label} transform={`translate(0 ${n * rowH})`}>
            <text x="0" y="13" font-size="13" fill="#111827">{r.label}</text>
            <rect x="0" y="17" height="12" rx="3" width={Math.max(2, (r.value / max) * 230)} fill="#1d3a8a" />
            <text x={Math.max(2, (r.value / max) * 230) + 6} y="28" font-size="13" fill="#374151">{r.text}</text>
          </g>
        ))}
      </svg>
      <table class="sr-only">
        <caption>{title}</caption>
        <tbody>
          {rows.length === 0 && <tr><td>{t("stats.chartEmpty")}</td></tr>}
          {rows.map((r) => <tr key={r.label}><th scope="row">{r.label}</th><td>{r.text}</td></tr>)}
        </tbody>
      </table>
    </figure>
  );
}

export function Statistics() {
  const all = invoices.value;
  const perStage = amountsPerStage(all);
  const delays = paymentDelays(all);
  const late = lateInvoices(all);
  const mid = median(delays);
  const interest = late.reduce((sum, i) => sum + (i.late_charges?.interest_cents ?? 0), 0);
  const indemnity = late.reduce((sum, i) => sum + (i.late_charges?.indemnity_cents ?? 0), 0);
  return (
    <Page title={t("stats.title")}>
      <BarChart title={t("stats.perStage")} rows={STAGES.map((s) => ({ label: t(`stage.${s}` as MessageKey), value: perStage[s], text: formatMoney(perStage[s]) }))} />
      <BarChart title={t("stats.delays")} rows={all.filter((i) => i.paid_on).map((i, n) => ({ label: i.number, value: delays[n] ?? 0, text: t("stats.days", { n: formatNumber(delays[n] ?? 0) }) }))} />
      {mid !== null && <p>{t("stats.median", { n: formatNumber(mid), limit: formatNumber(30) })}</p>}
      <section class="card" aria-labelledby="late-title">
        <h2 id="late-title">{t("stats.late")}</h2>
        <p>{t("stats.lateCount", { n: late.length })}</p>
        {interest + indemnity > 0 && <p>{t("stats.owed", { interest: formatMoney(interest), indemnity: formatMoney(indemnity) })}</p>}
        <ul>{late.map((i) => <li key={i.id}><a href={`/invoices/${i.id}`}>{i.number}</a> — {i.buyer}{deadlineOf(i).kind === "late" ? ` — ${deadlineText(i) ?? ""}` : ""}</li>)}</ul>
      </section>
    </Page>
  );
}
