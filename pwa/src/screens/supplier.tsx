/** Supplier screens: invoices (search, filters, sort), invoice detail with its status history
 * and reasons, statistics as accessible inline SVG charts. */
import { useRoute } from "preact-iso";
import { useState } from "preact/hooks";
import { invoices } from "../app/data";
import { formatDate, formatMoney, formatNumber, parseMoneyToCents, t, type MessageKey } from "../app/i18n";
import {
  amountsPerStage, filterInvoices, lateInvoices, median, needsAction, paymentDelays, STAGES, stageOf, type InvoiceQuery, type Stage,
} from "../app/invoice-stages";
import { Page, usePresence } from "../app/ui";

const statusLabel = (code: string): string => t(`invoice.${code}` as MessageKey);

export function InvoiceList() {
  const [q, setQ] = useState<InvoiceQuery>({ text: "", stage: "", from: "", to: "", minCents: null, maxCents: null, buyer: "", sort: "date" });
  const update = (patch: Partial<InvoiceQuery>) => setQ({ ...q, ...patch });
  const value = (e: Event) => (e.currentTarget as HTMLInputElement).value;
  const buyers = [...new Set(invoices.value.map((i) => i.buyer))].sort();
  const shown = filterInvoices(invoices.value, q);
  return (
    <Page title={t("invoices.title")}>
      <form role="search" onSubmit={(e) => e.preventDefault()}>
        <label for="q">{t("invoices.search")}</label>
        <input id="q" type="search" value={q.text} onInput={(e) => update({ text: value(e) })} />
        <details>
          <summary class="button secondary" style="margin-top:8px">{t("invoices.filterStatus")} · {t("invoices.buyer")} · {t("invoices.sort")}</summary>
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
          <label for="sort">{t("invoices.sort")}</label>
          <select id="sort" value={q.sort} onChange={(e) => update({ sort: value(e) as InvoiceQuery["sort"] })}>
            <option value="date">{t("invoices.sort.date")}</option>
            <option value="amount">{t("invoices.sort.amount")}</option>
            <option value="status">{t("invoices.sort.status")}</option>
          </select>
        </details>
      </form>
      <p class="muted" role="status">{t("invoices.count", { n: shown.length })}</p>
      <ul class="plain">
        {shown.map((i) => (
          <li key={i.id} class="card">
            <a class="cardlink" href={`/invoices/${i.id}`}>
              <div class="row"><h2>{i.number}</h2><strong>{formatMoney(i.amount_ttc_cents)}</strong></div>
              <p class="muted">{i.buyer} · {formatDate(i.issued_on)}</p>
              <span class={`badge ${needsAction(i.status) ? "bad" : stageOf(i.status) === "paid" ? "ok" : ""}`}>{statusLabel(i.status)}</span>
            </a>
          </li>
        ))}
      </ul>
    </Page>
  );
}

export function InvoiceDetail() {
  const { params } = useRoute();
  usePresence("invoice", params["id"]);
  const i = invoices.value.find((x) => x.id === params["id"]);
  if (!i) return <Page title={t("invoices.title")}><p>{t("common.empty")}</p></Page>;
  return (
    <Page title={i.number}>
      <div class="card">
        <p><strong>{statusLabel(i.status)}</strong></p>
        {needsAction(i.status) && <p class="alert bad"><strong>{t("invoices.actionNeeded")}</strong> — {t(`action.${i.status}` as MessageKey)}</p>}
        <dl>
          <dt class="muted">{t("invoices.buyer")}</dt><dd>{i.buyer}</dd>
          <dt class="muted">{t("common.total")}</dt><dd>{formatMoney(i.amount_ttc_cents)}</dd>
          <dt class="muted">{t("invoices.toPay")}</dt><dd>{formatMoney(i.amount_to_pay_cents)}</dd>
          {i.status === "SERVICE_FAIT_PARTIEL" && <><dt class="muted">{t("invoices.certified")}</dt><dd>{formatMoney(i.certified_cents ?? 0)}</dd></>}
        </dl>
      </div>
      <h2>{t("invoices.timeline")}</h2>
      <ol class="timeline">
        {[...i.history].reverse().map((e) => (
          <li key={`${e.status}-${e.at}`}>
            <strong>{statusLabel(e.status)}</strong>
            <div class="muted"><time dateTime={e.at}>{formatDate(e.at)}</time></div>
            {e.reason && <div>{t("common.reason")} : {e.reason}</div>}
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
  return (
    <figure class="card chart">
      <figcaption><h2>{title}</h2></figcaption>
      <svg viewBox={`0 0 320 ${rows.length * rowH}`} role="img" aria-label={rows.map((r) => `${r.label} ${r.text}`).join(", ")}>
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
        <tbody>{rows.map((r) => <tr key={r.label}><th scope="row">{r.label}</th><td>{r.text}</td></tr>)}</tbody>
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
  return (
    <Page title={t("stats.title")}>
      <BarChart title={t("stats.perStage")} rows={STAGES.map((s) => ({ label: t(`stage.${s}` as MessageKey), value: perStage[s], text: formatMoney(perStage[s]) }))} />
      <BarChart title={t("stats.delays")} rows={all.filter((i) => i.paid_on).map((i, n) => ({ label: i.number, value: delays[n] ?? 0, text: t("stats.days", { n: formatNumber(delays[n] ?? 0) }) }))} />
      {mid !== null && <p>{t("stats.median", { n: formatNumber(mid), limit: formatNumber(30) })}</p>}
      <section class="card" aria-labelledby="late-title">
        <h2 id="late-title">{t("stats.late")}</h2>
        <p>{t("stats.lateCount", { n: late.length })}</p>
        <ul>{late.map((i) => <li key={i.id}><a href={`/invoices/${i.id}`}>{i.number}</a> — {i.buyer}</li>)}</ul>
      </section>
    </Page>
  );
}
