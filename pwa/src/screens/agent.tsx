/** Agent screens: missions (list, create, detail, submit, cancel) and expense claims (lines,
 * receipts photographed and downscaled on the phone, OCR fields with confidence, warnings). */
import { useLocation, useRoute } from "preact-iso";
import { useState } from "preact/hooks";
import {
  cancelMission, claimFor, claims, createClaim, dismissRejection, homeCountry, lines, missions, newId, rejections, saveLine, splitLine, submitClaim, submitMission,
} from "../app/data";
import { amendMission, captureReceipt, codeText, deleteLine, saveMission, withdrawClaim } from "../app/agent";
import { checkDraft, COUNTRIES, draftOf, isAbroad, missionActions, timeLabels, type MissionDraft } from "../app/missions";
import { fixPath } from "../app/refusals";
import { downscaleReceipt } from "../app/image";
import { ReceiptPreview } from "../app/receipt";
import { formatAmountInput, formatDate, formatDateTime, formatMoney, formatNumber, formatPercent, intentLabel, language, parseMoneyToCents, t, type MessageKey } from "../app/i18n";
import type { Booking, ExpenseCategory, ExpenseLine, Finding, LineFinding, Mission, OcrField } from "../app/model";

import { Page, PendingMark, Problem, StatusBadge, usePresence } from "../app/ui";
import { ClaimTotals } from "./claim-totals";
import { CommentThread } from "./comments";
import { PdfButton } from "./documents";
import { MileageFields, MileageSplitText, refusalText } from "./mileage-fields";
import { previewMileage } from "../app/vehicle";

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

const countryName = (code: string): string => {
  try {
    return new Intl.DisplayNames([language.value === "fr" ? "fr-FR" : "en-GB"], { type: "region" }).of(code) ?? code;
  } catch {
    return code;
  }
};

/** The mission form: purpose, place, departure and return on the place's clock, country,
 * transport, estimate, advance asked, bookings. Creates the mission or sends the changes. */
function MissionForm({ mission }: { mission?: Mission }) {
  const { route } = useLocation();
  const [draft, setDraft] = useState<MissionDraft>(() => draftOf(mission));
  // Amounts as typed ("12,50"), parsed on saving.
  const [estimate, setEstimate] = useState(() => (mission?.estimate_cents ? formatAmountInput(mission.estimate_cents) : ""));
  const [fares, setFares] = useState<string[]>(() => draftOf(mission).bookings.map((b) => (b.fare_cents ? formatAmountInput(b.fare_cents) : "")));
  const [problem, setProblem] = useState<string | null>(null);
  const set = <K extends keyof MissionDraft>(key: K, value: MissionDraft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  // Abroad the allowance runs from arrival at the destination to departure from it. Abroad is
  // the server's rule (its home country, sent with the rule sets); until the phone has it, the
  // saved mission's word while its country is unchanged.
  const abroad = isAbroad(draft.country, homeCountry.value) ?? (mission?.country === draft.country && mission.abroad);
  const times = timeLabels({ abroad });
  const typed = (key: "purpose" | "destination" | "departs_at" | "returns_at") => (e: Event) => set(key, (e.currentTarget as HTMLInputElement).value);
  const setBooking = (n: number, change: Partial<Booking>) =>
    setDraft((d) => ({ ...d, bookings: d.bookings.map((b, i) => (i === n ? { ...b, ...change } : b)) }));
  function submit(event: Event) {
    event.preventDefault();
    const cents = parseMoneyToCents(estimate || "0");
    if (cents === null) return setProblem(t("missions.estimate"));
    const bookings = draft.bookings.map((b, n) => ({ ...b, fare_cents: parseMoneyToCents(fares[n] || "0") ?? -1 }));
    const next: MissionDraft = { ...draft, estimate_cents: cents, bookings };
    const wrong = checkDraft(next);
    if (wrong === "BOOKING_INVALID") return setProblem(t("agent.bookingInvalid"));
    if (wrong) return setProblem(codeText(wrong)[language.value]);
    route(`/missions/${saveMission(next, mission?.id)}`);
  }
  return (
    <form onSubmit={submit} noValidate={false}>
      <label for="purpose">{t("missions.purpose")}</label>
      <input id="purpose" name="purpose" required maxLength={200} value={draft.purpose} onInput={typed("purpose")} />
      <label for="destination">{t("missions.destination")}</label>
      <input id="destination" name="destination" required maxLength={200} value={draft.destination} onInput={typed("destination")} />
      <label for="country">{t("agent.country")}</label>
      <select id="country" name="country" value={draft.country} onChange={(e) => set("country", (e.currentTarget as HTMLSelectElement).value)}>
        {COUNTRIES.map((c) => <option key={c.code} value={c.code}>{countryName(c.code)}</option>)}
      </select>
      <label for="departs_at">{t(times.departs)}</label>
      <input id="departs_at" name="departs_at" type="datetime-local" required aria-describedby={abroad ? "times-abroad" : undefined} value={draft.departs_at} onInput={typed("departs_at")} />
      <label for="returns_at">{t(times.returns)}</label>
      <input id="returns_at" name="returns_at" type="datetime-local" required aria-describedby={abroad ? "times-abroad" : undefined} value={draft.returns_at} onInput={typed("returns_at")} />
      {abroad && <p id="times-abroad" class="muted">{t("agent.timesAbroad")}</p>}
      <label for="transport">{t("missions.transport")}</label>
      <select id="transport" name="transport" value={draft.transport} onChange={(e) => set("transport", (e.currentTarget as HTMLSelectElement).value as Mission["transport"])}>
        {TRANSPORTS.map((x) => <option key={x} value={x}>{t(`transport.${x}` as MessageKey)}</option>)}
      </select>
      <label for="estimate">{t("missions.estimate")}</label>
      <input id="estimate" name="estimate" inputMode="decimal" placeholder={formatAmountInput(0)} value={estimate} onInput={(e) => setEstimate((e.currentTarget as HTMLInputElement).value)} />
      <label class="check">
        <input type="checkbox" name="advance" checked={draft.advance_requested} onChange={(e) => set("advance_requested", (e.currentTarget as HTMLInputElement).checked)} />
        {" "}{t("agent.advance")}
      </label>
      <fieldset>
        <legend>{t("agent.bookings")}</legend>
        {draft.bookings.length === 0 && <p class="muted">{t("agent.noBooking")}</p>}
        {draft.bookings.map((b, n) => (
          <div key={n} class="card" role="group" aria-label={t("agent.booking", { n: n + 1 })}>
            <label for={`label-${n}`}>{t("agent.bookingLabel")}</label>
            <input id={`label-${n}`} required maxLength={200} value={b.label} onInput={(e) => setBooking(n, { label: (e.currentTarget as HTMLInputElement).value })} />
            <div class="grid2">
              <div>
                <label for={`mode-${n}`}>{t("agent.bookingMode")}</label>
                <select id={`mode-${n}`} value={b.mode} onChange={(e) => setBooking(n, { mode: (e.currentTarget as HTMLSelectElement).value as Booking["mode"] })}>
                  {TRANSPORTS.map((x) => <option key={x} value={x}>{t(`transport.${x}` as MessageKey)}</option>)}
                </select>
              </div>
              <div>
                <label for={`fare-${n}`}>{t("agent.bookingFare")}</label>
                <input id={`fare-${n}`} name={`fare-${n}`} inputMode="decimal" value={fares[n] ?? ""} onInput={(e) => { const v = (e.currentTarget as HTMLInputElement).value; setFares((f) => f.map((x, i) => (i === n ? v : x))); }} />
              </div>
            </div>
            <label for={`expires-${n}`}>{t("agent.bookingExpires")}</label>
            <input id={`expires-${n}`} type="datetime-local" value={b.expires_at} onInput={(e) => setBooking(n, { expires_at: (e.currentTarget as HTMLInputElement).value })} />
            <div class="actions">
              <button type="button" class="secondary" onClick={() => { set("bookings", draft.bookings.filter((_, i) => i !== n)); setFares(fares.filter((_, i) => i !== n)); }}>{t("agent.removeBooking")}</button>
            </div>
          </div>
        ))}
        <button type="button" class="secondary" onClick={() => { set("bookings", [...draft.bookings, { label: "", fare_cents: 0, mode: draft.transport, expires_at: "" }]); setFares([...fares, ""]); }}>{t("agent.addBooking")}</button>
      </fieldset>
      <Problem message={problem} />
      <div class="actions"><button type="submit">{mission ? t("agent.save") : t("missions.create")}</button></div>
    </form>
  );
}

export function MissionNew() {
  return <Page title={t("missions.new")}><MissionForm /></Page>;
}

export function MissionEdit() {
  const { params } = useRoute();
  const m = missions.value.find((x) => x.id === params["id"]);
  if (!m) return <Page title={t("missions.title")}><p>{t("common.empty")}</p></Page>;
  return (
    <Page title={t("agent.edit")}>
      <Refusals ids={[m.id]} />
      <MissionForm key={m.id} mission={m} />
    </Page>
  );
}

/** The server's allowance figures for the mission (or why there are none yet). */
function AllowanceCard({ mission }: { mission: Mission }) {
  const a = mission.allowance;
  return (
    <section class="card" aria-labelledby="allowance">
      <h2 id="allowance">{t("agent.allowance")}</h2>
      {!a && <p class="muted">{t("agent.allowancePending")}</p>}
      {a && (
        <dl>
          <dt class="muted">{t("agent.meals")}</dt><dd>{formatNumber(a.meals)}{a.meals_cents > 0 && ` · ${formatMoney(a.meals_cents)}`}</dd>
          <dt class="muted">{t("agent.nights")}</dt><dd>{formatNumber(a.nights)}</dd>
          {a.lodging_cap_cents > 0 && (<><dt class="muted">{t("agent.lodgingCap")}</dt><dd>{formatMoney(a.lodging_cap_cents)}</dd></>)}
          {a.abroad_cents > 0 && (<><dt class="muted">{t("agent.abroad")}</dt><dd>{formatMoney(a.abroad_cents)}</dd></>)}
          <dt class="muted">{t("agent.expected")}</dt><dd><strong>{formatMoney(a.expected_cents)}</strong></dd>
          {a.advance_cents > 0 && (<><dt class="muted">{t("agent.advanceAmount")}</dt><dd>{formatMoney(a.advance_cents)}</dd></>)}
        </dl>
      )}
      {a?.rate_missing && <p class="alert">{t("agent.rateMissing")}</p>}
    </section>
  );
}

const timeOf = (m: Mission, iso: string | undefined, day: string): string =>
  iso ? formatDateTime(/[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : `${iso}Z`, language.value, /[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? m.time_zone : "UTC") : formatDate(day);

export function MissionDetail() {
  const { params } = useRoute();
  usePresence("mission", params["id"]);
  const { route } = useLocation();
  const m = missions.value.find((x) => x.id === params["id"]);
  if (!m) return <Page title={t("missions.title")}><p>{t("common.empty")}</p></Page>;
  const claim = claimFor(m.id);
  const can = missionActions(m.status);
  return (
    <Page title={m.purpose}>
      <Refusals ids={[m.id]} />
      {m.decision_reason && m.status !== "approved" && (
        <p class="alert bad" role="status">{t(m.status === "refused" ? "agent.refusedReason" : "agent.returnedReason", { reason: m.decision_reason })}</p>
      )}
      <div class="card">
        <div class="row"><StatusBadge status={m.status} /><PendingMark id={m.id} /></div>
        <dl>
          <dt class="muted">{t("missions.destination")}</dt><dd>{m.destination} · {countryName(m.country)}</dd>
          <dt class="muted">{t(timeLabels(m).departs)}</dt><dd>{timeOf(m, m.departs_at, m.starts_on)}</dd>
          <dt class="muted">{t(timeLabels(m).returns)}</dt><dd>{timeOf(m, m.returns_at, m.ends_on)}</dd>
          <dt class="muted">{t("missions.transport")}</dt><dd>{t(`transport.${m.transport}` as MessageKey)}</dd>
          <dt class="muted">{t("missions.estimate")}</dt><dd>{formatMoney(m.estimate_cents)}</dd>
          {m.advance_requested && (<><dt class="muted">{t("agent.advance")}</dt><dd>✓</dd></>)}
        </dl>
        {m.bookings.length > 0 && (
          <>
            <h3>{t("agent.bookings")}</h3>
            <ul>
              {m.bookings.map((b, n) => (
                <li key={n}>
                  {b.label} · {t(`transport.${b.mode}` as MessageKey)} · {formatMoney(b.fare_cents)}
                  {b.expires_at && <> · {t("agent.bookingExpires")} {formatDateTime(b.expires_at, language.value, m.time_zone)}</>}
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
      <AllowanceCard mission={m} />
      <div class="actions">
        {can.edit && <a class="button secondary" href={`/missions/${m.id}/edit`}>{t("agent.edit")}</a>}
        {can.submit && <button type="button" onClick={() => submitMission(m.id)}>{t("missions.submit")}</button>}
        {m.status === "approved" && (
          <button type="button" onClick={() => route(`/claims/${(claim ?? createClaim(m)).id}`)}>{t("missions.claim")}</button>
        )}
        {can.amend && !claim && (
          <button type="button" class="secondary" onClick={() => { amendMission(m.id); route(`/missions/${m.id}/edit`); }}>{t("agent.amend")}</button>
        )}
        {can.cancel && <button type="button" class="secondary" onClick={() => cancelMission(m.id)}>{t("missions.cancel")}</button>}
      </div>
      <CommentThread documentType="mission" documentId={m.id} asking={false} />
      <PdfButton kind="mission" id={m.id} />
    </Page>
  );
}

/** The changes the server refused about these documents, named where the agent acts: what it
 * was, the reason in plain words and a one-tap way to fix it. */
export function Refusals({ ids }: { ids: readonly string[] }) {
  const mine = rejections.value.filter((r) => r.kind === "rejected" && r.targets.some((x) => ids.includes(x)));
  if (mine.length === 0) return null;
  const lineClaim = (id: string): string | undefined => lines.value.find((l) => l.id === id)?.claim_id || undefined;
  return (
    <ul class="plain" aria-label={t("sync.problems")}>
      {mine.map((r) => {
        const fix = fixPath(r, lineClaim);
        const line = lines.value.find((l) => r.targets.includes(l.id));
        return (
          <li key={r.id} class="alert bad"><div role="alert">
            <p><strong>{t("agent.refused", { what: intentLabel(r.name) ?? r.name })}</strong>
              {line && <> — {line.merchant || t(`category.${line.category}` as MessageKey)}{line.amount_cents ? ` · ${formatMoney(line.amount_cents, line.currency)}` : ""}</>}
            </p>
            <p>{r.message[language.value]}</p>
            <div class="actions">
              {fix && fix !== location.pathname && <a class="button" href={fix}>{t("agent.fix")}</a>}
              <button type="button" class="secondary" onClick={() => dismissRejection(r.id)}>{t("sync.dismiss")}</button>
            </div>
          </div></li>
        );
      })}
    </ul>
  );
}

/** The euro lines the agent entered (a line in another currency is never added as if it were
 * euros: the server converts it at the rate of the day when the claim is sent). */
const claimTotal = (id: string): number => lines.value.filter((l) => l.claim_id === id && l.currency === "EUR").reduce((sum, l) => sum + l.amount_cents, 0);
const hasForeignLine = (id: string): boolean => lines.value.some((l) => l.claim_id === id && l.currency !== "EUR");

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
  const findings = (lineId: string): Finding[] => c.findings.filter((f) => f.line_id === lineId);
  return (
    <Page title={`${t("missions.claim")} — ${m?.purpose ?? ""}`}>
      {c.decision_reason && (c.status === "returned" || c.status === "refused") && (
        <p class="alert bad" role="status">{t(c.status === "refused" ? "agent.refusedReason" : "agent.returnedReason", { reason: c.decision_reason })}</p>
      )}
      <Refusals ids={[c.id, ...own.map((l) => l.id)]} />
      <div class="row"><StatusBadge status={c.status} /><PendingMark id={c.id} /></div>
      {editable && <CaptureButton claimId={c.id} />}
      <h2>{t("claims.lines")}</h2>
      {own.length === 0 && <p class="muted">{t("claims.noLines")}</p>}
      <ul class="plain">
        {own.map((l) => (
          <li key={l.id} class="card">
            <a class="cardlink" href={`/claims/${c.id}/lines/${l.id}`}>
              <div class="row"><h3>{l.merchant || t(`category.${l.category}` as MessageKey)}</h3><strong>{l.reading === "pending" && !l.amount_cents ? "—" : formatMoney(l.amount_cents, l.currency)}</strong></div>
              <LineMeta line={l} />
              {l.mileage && <MileageSplitText split={l.mileage} />}
              <ReadingMark line={l} />
              <ReceiptsRead line={l} />
              <PendingMark id={l.id} />
            </a>
            {findings(l.id).length > 0 ? <Findings items={findings(l.id)} /> : (
              <>
                {l.findings && <Findings items={l.findings} />}
                {l.warnings.length > 0 && (
                  <ul class="alert" aria-label={t("claims.warnings")}>
                    {l.warnings.map((w) => <li key={w}>{t(`warning.${w}` as MessageKey)}</li>)}
                  </ul>
                )}
              </>
            )}
            {editable && <SplitOffer line={l} />}
          </li>
        ))}
      </ul>
      <ClaimTotals claim={c} receipts={claimTotal(c.id)} foreign={hasForeignLine(c.id)} />
      {editable && (
        <div class="actions">
          <a class="button secondary" href={`/claims/${c.id}/lines/new`}>{t("claims.addReceipt")}</a>
          <button type="button" disabled={own.length === 0} onClick={() => submitClaim(c.id)}>{t("claims.submit")}</button>
        </div>
      )}
      {c.status === "submitted" && (
        <div class="actions"><button type="button" class="secondary" onClick={() => withdrawClaim(c.id)}>{t("agent.withdraw")}</button></div>
      )}
      <CommentThread documentType="expense_claim" documentId={c.id} asking={false} />
      <PdfButton kind="claim" id={c.id} />
    </Page>
  );
}

/** The server's findings on a line, in the app's language (on its receipts as they are read,
 * and on the whole claim at submission). */
function Findings({ items }: { items: readonly (Finding | LineFinding)[] }) {
  return (
    <ul class={`alert${items.some((f) => f.severity === "blocking") ? " bad" : ""}`} aria-label={t("agent.findings")}>
      {items.map((f, n) => <li key={`${f.code}-${n}`} data-finding={f.code}>{f[language.value]}</li>)}
    </ul>
  );
}

/** What each receipt of a line said, when it holds several, and their sum (the line's amount
 * unless the agent typed another). */
function ReceiptsRead({ line }: { line: ExpenseLine }) {
  const read = line.receipts_read;
  if (!read || read.length < 2) return null;
  const known = read.filter((r) => r.amount_cents !== null);
  const sum = known.reduce((total, r) => total + (r.amount_cents ?? 0), 0);
  return (
    <div class="receipts-read">
      <p class="muted">{t("claims.receiptsRead", { n: read.length })}</p>
      <ul class="plain" aria-label={t("claims.receiptsRead", { n: read.length })}>
        {read.map((r) => (
          <li key={r.sha256} class="row"><span>{r.merchant || t("claims.receipt")}{r.date ? ` · ${formatDate(r.date)}` : ""}</span><span>{r.amount_cents === null ? "—" : formatMoney(r.amount_cents, r.currency)}</span></li>
        ))}
        {known.length === read.length && <li class="row"><strong>{t("claims.receiptsSum")}</strong><strong>{formatMoney(sum, read[0]?.currency ?? "EUR")}</strong></li>}
      </ul>
    </div>
  );
}

/** One tap to one line per receipt, when the server found receipts of different kinds added up. */
function SplitOffer({ line }: { line: ExpenseLine }) {
  if (!line.findings?.some((f) => f.code === "RECEIPTS_DIFFER") || (line.receipt_count ?? 1) < 2) return null;
  return (
    <div class="actions">
      <button type="button" class="secondary" onClick={() => splitLine(line.id, line.receipt_count ?? 1)}>{t("claims.split", { n: line.receipt_count ?? 2 })}</button>
    </div>
  );
}

/** From the claim to a captured photo: one tap opens the camera, the photo becomes a new line
 * (its fields read from the receipt once sent), and the line opens. */
function CaptureButton({ claimId }: { claimId: string }) {
  const { route } = useLocation();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  async function onPicked(event: Event) {
    const file = (event.currentTarget as HTMLInputElement).files?.[0];
    if (!file) return;
    setBusy(true);
    setProblem(null);
    try {
      route(`/claims/${claimId}/lines/${await captureReceipt(claimId, file)}`);
    } catch {
      setProblem(t("claims.addReceipt"));
    } finally {
      setBusy(false);
    }
  }
  return (
    <div class="actions">
      <input id="capture" class="sr-only" type="file" accept="image/*" capture="environment" onChange={(e) => void onPicked(e)} />
      <label class="button" for="capture" style="margin:0">{t("agent.capture")}</label>
      {busy && <p role="status">{t("claims.preparing")}</p>}
      <Problem message={problem} />
    </div>
  );
}

const CATEGORIES: ExpenseCategory[] = ["train", "plane", "taxi", "public_transport", "fuel", "tolls", "parking", "mileage", "meal", "lodging", "other"];
const LOW_CONFIDENCE = 0.75;
/** Currencies offered on a line (the server takes any ISO 4217 code); euros first. */
const CURRENCIES = ["EUR", "USD", "GBP", "CHF", "CAD", "JPY", "MAD", "XOF"];
/** The rate's form the server accepts (euros for one unit, dot decimal). */
const FX_RATE = /^\d{1,8}(\.\d{1,10})?$/;

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
  const [confirming, setConfirming] = useState(false);
  const claim = claims.value.find((x) => x.id === (existing?.claim_id || claimId));
  const lineEditable = !claim || claim.status === "draft" || claim.status === "returned";
  const lineFindings = existing ? (claim?.findings ?? []).filter((f) => f.line_id === existing.id) : [];
  // What the agent typed wins over the row: a sync or a reading arriving meanwhile re-renders
  // the form without wiping it; untouched fields follow the row (a reading fills them).
  const [typed, setTyped] = useState<Record<string, string>>({});
  const field = (name: string, fromRow: string) => ({
    value: typed[name] ?? fromRow,
    onInput: (e: Event) => { const v = (e.currentTarget as HTMLInputElement).value; setTyped((x) => ({ ...x, [name]: v })); },
  });

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

  const category = typed["category"] ?? existing?.category ?? "meal";
  const spentOn = typed["spent_on"] ?? existing?.spent_on ?? new Date().toISOString().slice(0, 10);
  const kmText = typed["km"] ?? (existing?.km ? String(existing.km) : "");

  /** A mileage line: only the km, priced with the scale (refused as the server would). */
  function submitMileage(f: FormData) {
    const km = Number(kmText.trim() || "0");
    const priced = previewMileage({ id: existing?.id ?? "", category: "mileage", spent_on: String(f.get("spent_on")), km });
    if (!priced.ok) return setProblem(refusalText(priced.code));
    saveLine({
      id: existing?.id ?? newId(), claim_id: existing ? existing.claim_id : claimId, spent_on: String(f.get("spent_on")),
      category: "mileage", merchant: String(f.get("merchant") ?? "").trim(), amount_cents: priced.cents, vat_rate_permille: 0,
      currency: "EUR", km, ...(existing?.receipt_blob ? { receipt_blob: existing.receipt_blob } : {}),
    }, receipt?.blob ?? null, existing !== undefined);
    route(`/claims/${claimId}`);
  }

  function submit(event: Event) {
    event.preventDefault();
    const f = new FormData(event.currentTarget as HTMLFormElement);
    if (category === "mileage") return submitMileage(f);
    const typed = String(f.get("amount") ?? "").trim();
    // With a receipt, a blank amount is left to the reading (ocrFillable marks it "ocr").
    const amount = typed === "" && receipt ? 0 : parseMoneyToCents(typed);
    if (amount === null) return setProblem(t("claims.amount"));
    const rate = Math.round(Number(String(f.get("vat") ?? "0").replace(",", ".")) * 10);
    const currency = String(f.get("currency") ?? "EUR");
    // A foreign line's rate of the day, as typed; blank: the rate published for that day.
    const fxRate = currency === "EUR" ? "" : String(f.get("fx_rate") ?? "").trim().replace(",", ".");
    if (fxRate && !FX_RATE.test(fxRate)) return setProblem(t("claims.fxRate", { currency }));
    const line: Omit<ExpenseLine, "warnings" | "ocr"> = {
      id: existing?.id ?? newId(), claim_id: existing ? existing.claim_id : claimId, spent_on: String(f.get("spent_on")),
      category: f.get("category") as ExpenseCategory, merchant: String(f.get("merchant") ?? "").trim(),
      amount_cents: amount, vat_rate_permille: Number.isFinite(rate) ? rate : 0, currency,
      ...(fxRate ? { fx_rate: fxRate } : {}),
      ...(existing?.receipt_blob ? { receipt_blob: existing.receipt_blob } : {}),
    };
    saveLine(line, receipt?.blob ?? null, existing !== undefined);
    route(`/claims/${claimId}`);
  }

  const amountText = existing?.amount_cents ? formatAmountInput(existing.amount_cents) : "";
  const currency = typed["currency"] ?? existing?.currency ?? "EUR";
  return (
    <Page title={existing ? existing.merchant || t("claims.lines") : t("claims.addReceipt")}>
      {existing && <Refusals ids={[existing.id]} />}
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
        {existing && <ReceiptsRead line={existing} />}
        {existing && (lineFindings.length > 0 ? <Findings items={lineFindings} /> : existing.findings && <Findings items={existing.findings} />)}
        {existing && lineEditable && <SplitOffer line={existing} />}
        <label for="category">{t("claims.category")}</label>
        <select id="category" name="category" {...field("category", existing?.category ?? "meal")} onChange={(e) => { const v = (e.currentTarget as HTMLSelectElement).value; setTyped((x) => ({ ...x, category: v })); }}>
          {CATEGORIES.map((c) => <option key={c} value={c}>{t(`category.${c}` as MessageKey)}</option>)}
        </select>
        <label for="merchant">{category === "mileage" ? t("mileage.trip") : t("claims.merchant")} <Confidence field={ocr?.merchant} /></label>
        <input id="merchant" name="merchant" {...field("merchant", existing?.merchant ?? "")} maxLength={200} />
        <label for="spent_on">{t("claims.date")} <Confidence field={ocr?.spent_on} /></label>
        <input id="spent_on" name="spent_on" type="date" required {...field("spent_on", existing?.spent_on ?? new Date().toISOString().slice(0, 10))} />
        {category === "mileage" ? (
          <MileageFields lineId={existing?.id ?? ""} spentOn={spentOn} km={kmText} onKm={(v) => setTyped((x) => ({ ...x, km: v }))} />
        ) : <div class="grid2">
          <div>
            <label for="amount">{currency === "EUR" ? t("claims.amount") : t("claims.amountIn", { currency })} <Confidence field={ocr?.amount_cents} /></label>
            <input id="amount" name="amount" inputMode="decimal" required={!receipt} {...field("amount", amountText)} placeholder={formatAmountInput(0)} />
          </div>
          <div>
            <label for="vat">{t("claims.vatRate")} <Confidence field={ocr?.vat_rate_permille} /></label>
            <input id="vat" name="vat" inputMode="decimal" {...field("vat", existing ? String(existing.vat_rate_permille / 10) : "10")} />
          </div>
        </div>}
        {category !== "mileage" && (<>
        <label for="currency">{t("claims.currency")}</label>
        <select id="currency" name="currency" value={currency} onChange={(e) => { const v = (e.currentTarget as HTMLSelectElement).value; setTyped((x) => ({ ...x, currency: v })); }}>
          {[...new Set([...CURRENCIES, currency])].map((c) => <option key={c} value={c}>{c}</option>)}
        </select>
        </>)}
        {category !== "mileage" && currency !== "EUR" && (
          <>
            <label for="fx_rate">{t("claims.fxRate", { currency })}</label>
            <input id="fx_rate" name="fx_rate" inputMode="decimal" aria-describedby="fx_rate_hint" {...field("fx_rate", existing?.fx_rate ?? "")} />
            <p id="fx_rate_hint" class="muted">{t("claims.fxRateHint")}</p>
          </>
        )}
        {existing && existing.warnings.length > 0 && (
          <ul class="alert" aria-label={t("claims.warnings")}>{existing.warnings.map((w) => <li key={w}>{t(`warning.${w}` as MessageKey)}</li>)}</ul>
        )}
        <Problem message={problem} />
        <div class="actions"><button type="submit" disabled={busy}>{t("common.save")}</button></div>
      </form>
      {existing && lineEditable && (
        <div class="actions">
          {confirming
            ? <button type="button" class="danger" onClick={() => { deleteLine(existing.id); route(`/claims/${claimId}`); }}>{t("agent.deleteConfirm")}</button>
            : <button type="button" class="secondary" onClick={() => setConfirming(true)}>{t("agent.deleteLine")}</button>}
        </div>
      )}
    </Page>
  );
}
