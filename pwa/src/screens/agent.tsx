/** Agent screens: missions (list, create, detail, submit, cancel) and expense claims (lines,
 * receipts photographed and downscaled on the phone, OCR fields with confidence, warnings). */
import { useLocation, useRoute } from "preact-iso";
import { useState } from "preact/hooks";
import {
  cancelMission, claimFor, claims, createClaim, createMission, lines, missions, newId, saveLine, submitClaim, submitMission,
} from "../app/data";
import { downscaleReceipt } from "../app/image";
import { ReceiptPreview } from "../app/receipt";
import { formatAmountInput, formatDate, formatMoney, formatPercent, language, parseMoneyToCents, t, type MessageKey } from "../app/i18n";
import type { ExpenseCategory, ExpenseLine, Mission, OcrField } from "../app/model";

import { Page, PendingMark, Problem, StatusBadge, usePresence } from "../app/ui";

export function MissionList() {
  return (
    <Page title={t("missions.title")}>
      <div class="actions"><a class="button" href="/missions/new">{t("missions.new")}</a></div>
      {missions.value.length === 0 && <p class="muted">{t("common.empty")}</p>}
      <ul class="plain" style="margin-top:12px">
        {missions.value.map((m) => (
          <li key={m.id} class="card">
            <a class="cardlink" href={`/missions/${m.id}`}>
              <div class="row"><h2>{m.purpose}</h2><StatusBadge status={m.status} /></div>
              <p class="muted">{m.destination} · {formatDate(m.starts_on)} → {formatDate(m.ends_on)}</p>
              <div class="row"><span>{formatMoney(m.estimate_cents)}</span><PendingMark id={m.id} /></div>
            </a>
          </li>
        ))}
      </ul>
    </Page>
  );
}

const TRANSPORTS: Mission["transport"][] = ["train", "plane", "car", "public_transport", "boat", "other"];

export function MissionNew() {
  const { route } = useLocation();
  const [problem, setProblem] = useState<string | null>(null);
  function submit(event: Event) {
    event.preventDefault();
    const f = new FormData(event.currentTarget as HTMLFormElement);
    const estimate = parseMoneyToCents(String(f.get("estimate") ?? "0") || "0");
    const starts = String(f.get("starts_on")), ends = String(f.get("ends_on"));
    if (estimate === null) return setProblem(t("missions.estimate"));
    if (ends < starts) return setProblem(`${t("missions.end")} < ${t("missions.start")}`);
    const id = createMission({
      purpose: String(f.get("purpose")).trim(), destination: String(f.get("destination")).trim(),
      starts_on: starts, ends_on: ends, transport: f.get("transport") as Mission["transport"], estimate_cents: estimate,
    });
    route(`/missions/${id}`);
  }
  return (
    <Page title={t("missions.new")}>
      <form onSubmit={submit}>
        <label for="purpose">{t("missions.purpose")}</label>
        <input id="purpose" name="purpose" required maxLength={200} />
        <label for="destination">{t("missions.destination")}</label>
        <input id="destination" name="destination" required maxLength={200} />
        <div class="grid2">
          <div><label for="starts_on">{t("missions.start")}</label><input id="starts_on" name="starts_on" type="date" required /></div>
          <div><label for="ends_on">{t("missions.end")}</label><input id="ends_on" name="ends_on" type="date" required /></div>
        </div>
        <label for="transport">{t("missions.transport")}</label>
        <select id="transport" name="transport">
          {TRANSPORTS.map((x) => <option key={x} value={x}>{t(`transport.${x}` as MessageKey)}</option>)}
        </select>
        <label for="estimate">{t("missions.estimate")}</label>
        <input id="estimate" name="estimate" inputMode="decimal" placeholder={formatAmountInput(0)} />
        <Problem message={problem} />
        <div class="actions"><button type="submit">{t("missions.create")}</button></div>
      </form>
    </Page>
  );
}

export function MissionDetail() {
  const { params } = useRoute();
  usePresence("mission", params["id"]);
  const { route } = useLocation();
  const m = missions.value.find((x) => x.id === params["id"]);
  if (!m) return <Page title={t("missions.title")}><p>{t("common.empty")}</p></Page>;
  const claim = claimFor(m.id);
  return (
    <Page title={m.purpose}>
      <div class="card">
        <div class="row"><StatusBadge status={m.status} /><PendingMark id={m.id} /></div>
        <dl>
          <dt class="muted">{t("missions.destination")}</dt><dd>{m.destination}</dd>
          <dt class="muted">{t("missions.start")}</dt><dd>{formatDate(m.starts_on)}</dd>
          <dt class="muted">{t("missions.end")}</dt><dd>{formatDate(m.ends_on)}</dd>
          <dt class="muted">{t("missions.transport")}</dt><dd>{t(`transport.${m.transport}` as MessageKey)}</dd>
          <dt class="muted">{t("missions.estimate")}</dt><dd>{formatMoney(m.estimate_cents)}</dd>
          {m.decision_reason && (<><dt class="muted">{t("common.reason")}</dt><dd>{m.decision_reason}</dd></>)}
        </dl>
      </div>
      <div class="actions">
        {(m.status === "draft" || m.status === "returned") && <button type="button" onClick={() => submitMission(m.id)}>{t("missions.submit")}</button>}
        {(m.status === "draft" || m.status === "submitted") && <button type="button" class="secondary" onClick={() => cancelMission(m.id)}>{t("missions.cancel")}</button>}
        {m.status === "approved" && (
          <button type="button" onClick={() => route(`/claims/${(claim ?? createClaim(m)).id}`)}>{t("missions.claim")}</button>
        )}
      </div>
    </Page>
  );
}

const claimTotal = (id: string): number => lines.value.filter((l) => l.claim_id === id).reduce((sum, l) => sum + l.amount_cents, 0);

export function ClaimList() {
  return (
    <Page title={t("claims.title")}>
      {claims.value.length === 0 && <p class="muted">{t("common.empty")}</p>}
      <ul class="plain">
        {claims.value.map((c) => {
          const m = missions.value.find((x) => x.id === c.mission_id);
          return (
            <li key={c.id} class="card">
              <a class="cardlink" href={`/claims/${c.id}`}>
                <div class="row"><h2>{m?.purpose ?? "—"}</h2><StatusBadge status={c.status} /></div>
                <div class="row"><span>{formatMoney(claimTotal(c.id))}</span><PendingMark id={c.id} /></div>
              </a>
            </li>
          );
        })}
      </ul>
    </Page>
  );
}

export function ClaimDetail() {
  const { params } = useRoute();
  const c = claims.value.find((x) => x.id === params["id"]);
  if (!c) return <Page title={t("claims.title")}><p>{t("common.empty")}</p></Page>;
  const m = missions.value.find((x) => x.id === c.mission_id);
  const own = lines.value.filter((l) => l.claim_id === c.id);
  const editable = c.status === "draft" || c.status === "returned";
  return (
    <Page title={`${t("missions.claim")} — ${m?.purpose ?? ""}`}>
      <div class="row"><StatusBadge status={c.status} /><PendingMark id={c.id} /></div>
      <h2>{t("claims.lines")}</h2>
      {own.length === 0 && <p class="muted">{t("claims.noLines")}</p>}
      <ul class="plain">
        {own.map((l) => (
          <li key={l.id} class="card">
            <a class="cardlink" href={`/claims/${c.id}/lines/${l.id}`}>
              <div class="row"><h3>{l.merchant || t(`category.${l.category}` as MessageKey)}</h3><strong>{l.reading === "pending" && !l.amount_cents ? "—" : formatMoney(l.amount_cents, l.currency)}</strong></div>
              <LineMeta line={l} />
              <ReadingMark line={l} />
              <PendingMark id={l.id} />
            </a>
            {l.warnings.length > 0 && (
              <ul class="alert" aria-label={t("claims.warnings")}>
                {l.warnings.map((w) => <li key={w}>{t(`warning.${w}` as MessageKey)}</li>)}
              </ul>
            )}
          </li>
        ))}
      </ul>
      <p class="row"><strong>{t("common.total")}</strong><strong>{formatMoney(claimTotal(c.id))}</strong></p>
      {editable && (
        <div class="actions">
          <a class="button secondary" href={`/claims/${c.id}/lines/new`}>{t("claims.addReceipt")}</a>
          <button type="button" disabled={own.length === 0} onClick={() => submitClaim(c.id)}>{t("claims.submit")}</button>
        </div>
      )}
    </Page>
  );
}

const CATEGORIES: ExpenseCategory[] = ["train", "plane", "taxi", "public_transport", "fuel", "tolls", "parking", "mileage", "meal", "lodging", "other"];
const LOW_CONFIDENCE = 0.75;

function Confidence({ field }: { field: OcrField<unknown> | undefined }) {
  if (!field) return null;
  const low = field.confidence < LOW_CONFIDENCE;
  return (
    <span class={`conf ${low ? "low" : "high"}`}>
      {low ? `${t("claims.checkField")} · ` : ""}{t("claims.confidence", { pct: formatPercent(field.confidence) })}
    </span>
  );
}

/** Category (when the title is the merchant) and date (not while the receipt is to be read:
 * it is a placeholder until then). */
function LineMeta({ line }: { line: ExpenseLine }) {
  const meta = [line.merchant ? t(`category.${line.category}` as MessageKey) : "", line.reading === "pending" ? "" : formatDate(line.spent_on)];
  const text = meta.filter(Boolean).join(" · ");
  return text ? <p class="muted">{text}</p> : null;
}

/** Where the receipt's reading stands, on a line's card: to be read, read (to check when a
 * field is uncertain), or unreadable. */
function ReadingMark({ line }: { line: ExpenseLine }) {
  if (line.reading === "pending") return <p class="muted">{t("claims.reading")}</p>;
  if (line.reading === "unreadable") return <p class="alert">{t("claims.unreadable")}</p>;
  if (!line.ocr) return line.review ? <ReviewReasons line={line} /> : null;
  const uncertain = Object.values(line.ocr).some((f) => f.confidence < LOW_CONFIDENCE);
  return (
    <>
      <p class="muted">{t("claims.ocr")}{uncertain && !line.review && <> · <span class="conf low">{t("claims.checkField")}</span></>}</p>
      <ReviewReasons line={line} />
    </>
  );
}

/** What to check on a read receipt, in the app's language: the check that failed (sum, VAT
 * rate, SIRET, date outside the mission…), as the server worded it. */
function ReviewReasons({ line }: { line: ExpenseLine }) {
  if (!line.review?.length) return null;
  return (
    <ul class="review" aria-label={t("claims.checkField")}>
      {line.review.map((r) => <li key={r.code} class="conf low">{r[language.value]}</li>)}
    </ul>
  );
}

export function LineEditor() {
  const { params } = useRoute();
  const { route } = useLocation();
  const claimId = params["id"] ?? "";
  const existing = lines.value.find((l) => l.id === params["lineId"]);
  const [receipt, setReceipt] = useState<{ blob: Blob | null; url: string; size: string } | null>(
    existing?.receipt_blob ? { blob: null, url: "", size: "" } : null,
  );
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const ocr = existing?.ocr;

  async function onPicked(event: Event) {
    const file = (event.currentTarget as HTMLInputElement).files?.[0];
    if (!file) return;
    setBusy(true);
    setProblem(null);
    try {
      const small = await downscaleReceipt(file);
      setReceipt({ blob: small.blob, url: URL.createObjectURL(small.blob), size: `${small.width} × ${small.height}` });
    } catch {
      setProblem(t("claims.addReceipt"));
    } finally {
      setBusy(false);
    }
  }

  function submit(event: Event) {
    event.preventDefault();
    const f = new FormData(event.currentTarget as HTMLFormElement);
    const typed = String(f.get("amount") ?? "").trim();
    // With a receipt, a blank amount is left to the reading (ocrFillable marks it "ocr").
    const amount = typed === "" && receipt ? 0 : parseMoneyToCents(typed);
    if (amount === null) return setProblem(t("claims.amount"));
    const rate = Math.round(Number(String(f.get("vat") ?? "0").replace(",", ".")) * 10);
    const line: Omit<ExpenseLine, "warnings" | "ocr"> = {
      id: existing?.id ?? newId(), claim_id: existing ? existing.claim_id : claimId, spent_on: String(f.get("spent_on")),
      category: f.get("category") as ExpenseCategory, merchant: String(f.get("merchant") ?? "").trim(),
      amount_cents: amount, vat_rate_permille: Number.isFinite(rate) ? rate : 0, currency: "EUR",
      ...(existing?.receipt_blob ? { receipt_blob: existing.receipt_blob } : {}),
    };
    saveLine(line, receipt?.blob ?? null, existing !== undefined);
    route(`/claims/${claimId}`);
  }

  const amountText = existing?.amount_cents ? formatAmountInput(existing.amount_cents) : "";
  return (
    <Page title={existing ? existing.merchant || t("claims.lines") : t("claims.addReceipt")}>
      <fieldset>
        <legend>{t("claims.receipt")}</legend>
        <div class="actions">
          <input id="camera" class="sr-only" type="file" accept="image/*" capture="environment" onChange={onPicked} />
          <label class="button" for="camera" style="margin:0">{t("claims.takePhoto")}</label>
          <input id="picker" class="sr-only" type="file" accept="image/*" onChange={onPicked} />
          <label class="button secondary" for="picker" style="margin:0">{t("claims.pickFile")}</label>
        </div>
        {busy && <p role="status">{t("claims.preparing")}</p>}
        {receipt?.blob && (
          <p role="status" class="muted" data-receipt-size={receipt.size}>
            {receipt.url && <img src={receipt.url} alt={t("claims.receiptAltPicked")} style="max-width:96px;max-height:96px;float:right;border-radius:6px" />}
            {`${t("claims.receiptQueued")} ${receipt.size}`}
          </p>
        )}
        {!receipt?.blob && existing?.receipt_blob && (
          <ReceiptPreview key={existing.receipt_blob} line={existing} sha256={existing.receipt_blob}>
            <p class="muted">{t("claims.receiptAttached")}</p>
            {existing.reading === "pending" && <p class="muted">{t("claims.reading")}</p>}
            {existing.reading === "unreadable" && <p class="alert">{t("claims.unreadable")}</p>}
          </ReceiptPreview>
        )}
        {receipt?.blob && !existing && <p class="muted">{t("claims.ocrHint")}</p>}
        {!existing?.receipt_blob && existing?.reading === "pending" && <p class="muted">{t("claims.reading")}</p>}
        {!existing?.receipt_blob && existing?.reading === "unreadable" && <p class="alert">{t("claims.unreadable")}</p>}
      </fieldset>
      <form onSubmit={submit}>
        {ocr && <p class="muted">{t("claims.ocr")}</p>}
        {existing && <ReviewReasons line={existing} />}
        <label for="category">{t("claims.category")}</label>
        <select id="category" name="category" value={existing?.category ?? "meal"}>
          {CATEGORIES.map((c) => <option key={c} value={c}>{t(`category.${c}` as MessageKey)}</option>)}
        </select>
        <label for="merchant">{t("claims.merchant")} <Confidence field={ocr?.merchant} /></label>
        <input id="merchant" name="merchant" value={existing?.merchant ?? ""} maxLength={200} />
        <label for="spent_on">{t("claims.date")} <Confidence field={ocr?.spent_on} /></label>
        <input id="spent_on" name="spent_on" type="date" required value={existing?.spent_on ?? new Date().toISOString().slice(0, 10)} />
        <div class="grid2">
          <div>
            <label for="amount">{t("claims.amount")} <Confidence field={ocr?.amount_cents} /></label>
            <input id="amount" name="amount" inputMode="decimal" required={!receipt} value={amountText} placeholder={formatAmountInput(0)} />
          </div>
          <div>
            <label for="vat">{t("claims.vatRate")} <Confidence field={ocr?.vat_rate_permille} /></label>
            <input id="vat" name="vat" inputMode="decimal" value={existing ? String(existing.vat_rate_permille / 10) : "10"} />
          </div>
        </div>
        {existing && existing.warnings.length > 0 && (
          <ul class="alert" aria-label={t("claims.warnings")}>{existing.warnings.map((w) => <li key={w}>{t(`warning.${w}` as MessageKey)}</li>)}</ul>
        )}
        <Problem message={problem} />
        <div class="actions"><button type="submit" disabled={busy}>{t("common.save")}</button></div>
      </form>
    </Page>
  );
}
