/** Screens for everyone: notification inbox, settings (language, push, storage), devices,
 * sync status with refused changes explained in plain words. */
import { useEffect, useState } from "preact/hooks";
import {
  chooseLanguage, chooseLockAfter, hasPin, LOCK_CHOICES, lockAfterMinutes, lockNow, chooseMoney, devices, dismissRejection, enablePush, inbox, lastSyncAt, lines, loadInbox, loadPushPrefs, markAllRead, markRead, oldestPendingAt, online, pendingCount,
  pushPrefs, rejections, restoreOverwritten, revokeDevice, savePushPrefs, sendTestPush, session, signOut, syncNow, unreadCount, type PushPreferences,
} from "../app/data";
import { formatDateTime, formatMoney, intentLabel, language, pendingText, t, type Language, type MessageKey } from "../app/i18n";
import type { Rejection, Role } from "../app/model";
import { fixPath } from "../app/refusals";
import type { Device } from "../app/model";
import { Page, Problem } from "../app/ui";

export function Inbox() {
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => { void loadInbox().then((p) => setProblem(p ? p.message[language.value] : null)); }, []);
  const list = inbox.value;
  return (
    <Page title={t("inbox.title")}>
      <Problem message={problem} />
      {list === null && !problem && <p role="status">{t("common.loading")}</p>}
      {list?.length === 0 && <p class="muted">{t("common.empty")}</p>}
      {unreadCount.value > 0 && (
        <div class="row" style="margin-bottom:12px">
          <p role="status" style="margin:0"><span class="badge warn">{t("inbox.unreadCount", { n: unreadCount.value })}</span></p>
          <button type="button" class="secondary" disabled={!online.value} onClick={async () => {
            const failed = await markAllRead();
            setProblem(failed ? failed.message[language.value] : null);
          }}>{t("inbox.allRead")}</button>
        </div>
      )}
      <ul class="plain">
        {list?.map((n) => (
          <li key={n.id} class="card" data-read={n.read ? "1" : "0"}>
            <div class="row">
              <h2><a href={n.url} onClick={() => { if (!n.read) markRead(n.id); }}>{n.title}</a></h2>
              {!n.read && <span class="badge warn">{t("inbox.unread")}</span>}
            </div>
            <p>{n.body}</p>
            <div class="row">
              <time class="muted" dateTime={n.created_at}>{formatDateTime(n.created_at)}</time>
              {!n.read && <button type="button" class="secondary" onClick={() => markRead(n.id)}>{t("inbox.markRead")}</button>}
            </div>
          </li>
        ))}
      </ul>
    </Page>
  );
}

/** Event types each role hears about (back office and admins see every type the server sends). */
const ROLE_EVENTS: Partial<Record<Role, string[]>> = {
  agent: ["decision_made", "comment_added", "payment_sent", "ocr_needs_review", "ocr_finished"],
  manager: ["approval_requested", "approval_reminder", "approval_escalated", "approval_escalated_away", "comment_added", "service_done_proposal", "decision_made", "payment_sent", "ocr_needs_review", "ocr_finished"],
  supplier: ["invoice_status_changed"],
};
/** Events that need an action: they come through quiet hours. */
const BREAK_THROUGH = new Set(["approval_requested", "approval_reminder", "approval_escalated", "invoice_status_changed"]);
const MODES = ["immediate", "digest", "weekly", "off"] as const;
const ZONES = ["Europe/Paris", "America/Guadeloupe", "America/Martinique", "America/Cayenne", "Indian/Reunion", "Indian/Mayotte", "Pacific/Noumea", "Pacific/Tahiti", "UTC"];

function NotificationPreferences({ role }: { role: Role }) {
  const [draft, setDraft] = useState<PushPreferences | null>(pushPrefs.value);
  const [problem, setProblem] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  useEffect(() => {
    void loadPushPrefs().then((p) => {
      setDraft(pushPrefs.value);
      if (p && p.status !== 0) setProblem(p.message[language.value]);
    });
  }, [online.value]);
  const offline = !online.value;
  if (!draft) return <p class="muted">{offline ? t("prefs.none") : t("common.loading")}</p>;
  const types = (ROLE_EVENTS[role] ?? Object.keys(draft.modes)).filter((e) => e in draft.modes);
  const set = (change: Partial<PushPreferences>) => { setDraft({ ...draft, ...change }); setStatus(null); };
  const quiet = draft.quiet_start !== null && draft.quiet_end !== null;
  return (
    <form onSubmit={async (e) => {
      e.preventDefault();
      const failed = await savePushPrefs(draft);
      setProblem(failed ? failed.message[language.value] : null);
      if (!failed) { setDraft(pushPrefs.value); setStatus(t("prefs.saved")); }
    }}>
      {offline && <p class="alert info" role="status">{t("prefs.offline")}</p>}
      <Problem message={problem} />
      <fieldset disabled={offline}>
        <legend>{t("prefs.title")}</legend>
        {types.map((type) => (
          <div key={type}>
            <label for={`mode-${type}`}>{t(`prefs.event.${type}` as MessageKey)}</label>
            <select id={`mode-${type}`} value={draft.modes[type]} aria-describedby={BREAK_THROUGH.has(type) ? `bt-${type}` : undefined}
              onChange={(e) => set({ modes: { ...draft.modes, [type]: (e.currentTarget as HTMLSelectElement).value } })}>
              {MODES.map((m) => <option key={m} value={m}>{t(`prefs.mode.${m}`)}</option>)}
            </select>
            {BREAK_THROUGH.has(type) && <p class="muted" id={`bt-${type}`}>{t("prefs.breakThrough")}</p>}
          </div>
        ))}
        <label for="digest-time">{t("prefs.digestTime")}</label>
        <input id="digest-time" type="time" value={draft.digest_time} required onChange={(e) => set({ digest_time: (e.currentTarget as HTMLInputElement).value })} />
      </fieldset>
      <fieldset disabled={offline}>
        <legend>{t("prefs.quiet")}</legend>
        <label class="check">
          <input type="checkbox" checked={quiet} onChange={(e) => (e.currentTarget as HTMLInputElement).checked
            ? set({ quiet_start: "21:00", quiet_end: "07:30" }) : set({ quiet_start: null, quiet_end: null })} />
          {t("prefs.quietOn")}
        </label>
        {quiet && (
          <div class="row">
            <div><label for="quiet-start">{t("prefs.quietStart")}</label>
              <input id="quiet-start" type="time" required value={draft.quiet_start ?? ""} onChange={(e) => set({ quiet_start: (e.currentTarget as HTMLInputElement).value })} /></div>
            <div><label for="quiet-end">{t("prefs.quietEnd")}</label>
              <input id="quiet-end" type="time" required value={draft.quiet_end ?? ""} onChange={(e) => set({ quiet_end: (e.currentTarget as HTMLInputElement).value })} /></div>
          </div>
        )}
        <label for="timezone">{t("prefs.timezone")}</label>
        <select id="timezone" value={draft.timezone} onChange={(e) => set({ timezone: (e.currentTarget as HTMLSelectElement).value })}>
          {(ZONES.includes(draft.timezone) ? ZONES : [draft.timezone, ...ZONES]).map((z) => <option key={z} value={z}>{z.replace("_", " ")}</option>)}
        </select>
        <p class="muted">{t("prefs.quietNote")}</p>
        <label class="check">
          <input type="checkbox" checked={draft.hide_amounts} onChange={(e) => set({ hide_amounts: (e.currentTarget as HTMLInputElement).checked })} />
          {t("prefs.hideAmounts")}
        </label>
      </fieldset>
      {status && <p class="alert ok" role="status">{status}</p>}
      <div class="actions">
        <button type="submit" disabled={offline}>{t("prefs.save")}</button>
        <button type="button" class="secondary" disabled={offline} onClick={async () => {
          const r = await sendTestPush();
          if ("devices" in r) { setProblem(null); setStatus(t("prefs.testSent", { n: r.devices })); }
          else setProblem(r.message[language.value]);
        }}>{t("prefs.test")}</button>
      </div>
    </form>
  );
}

export function Settings() {
  const [permission, setPermission] = useState<NotificationPermission | "unsupported">("Notification" in globalThis ? Notification.permission : "unsupported");
  const [persisted, setPersisted] = useState<boolean | null>(null);
  const [pushProblem, setPushProblem] = useState<string | null>(null);
  useEffect(() => { void navigator.storage?.persisted?.().then(setPersisted); }, []);
  const user = session.value?.user;
  return (
    <Page title={t("settings.title")}>
      {user && <p class="muted">{user.full_name} · {user.email}</p>}
      <fieldset>
        <legend>{t("settings.language")}</legend>
        {(["fr", "en"] as Language[]).map((l) => (
          <label key={l} class="check">
            <input type="radio" name="lang" value={l} checked={language.value === l} onChange={() => void chooseLanguage(l)} />
            <span lang={l}>{l === "fr" ? "Français" : "English"}</span>
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>{t("settings.push")}</legend>
        {permission === "granted" && <p class="muted">{t("settings.pushOn")}</p>}
        <Problem message={pushProblem} />
        {permission === "denied" && <p class="alert">{t("settings.pushDenied")}</p>}
        {permission === "default" && (
          <button type="button" onClick={async () => {
            const result = await enablePush(language.value);
            if (typeof result === "string") setPermission(result);
            else { setPermission(Notification.permission); setPushProblem(result.message[language.value]); }
          }}>{t("settings.enablePush")}</button>
        )}
      </fieldset>
      {user && <NotificationPreferences role={user.role as Role} />}
      {hasPin() && (
        <fieldset>
          <legend>{t("settings.lockAfter")}</legend>
          {LOCK_CHOICES.map((minutes) => (
            <label key={minutes} class="check">
              <input type="radio" name="lockAfter" value={minutes} checked={lockAfterMinutes.value === minutes} onChange={() => chooseLockAfter(minutes)} />
              <span>{t("settings.lockMinutes", { n: minutes })}</span>
            </label>
          ))}
          <button type="button" class="secondary" onClick={lockNow}>{t("settings.lockNow")}</button>
        </fieldset>
      )}
      <fieldset>
        <legend>{t("settings.storage")}</legend>
        <p class="muted">{persisted ? t("settings.persisted") : t("settings.notPersisted")}</p>
      </fieldset>
      <div class="actions">
        <a class="button secondary" href="/sync">{t("sync.title")}</a>
        {(user?.role === "agent" || user?.role === "manager") && <a class="button secondary" href="/settings/vehicle">{t("vehicle.title")}</a>}
        <a class="button secondary" href="/settings/devices">{t("settings.devices")}</a>
        <a class="button secondary" href="/accessibility">{t("a11y.title")}</a>
        <button type="button" class="danger" onClick={() => void signOut()}>{t("settings.signOut")}</button>
      </div>
    </Page>
  );
}

export function Devices() {
  const [list, setList] = useState<Device[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  async function load() {
    const r = await devices();
    if (r.ok) setList(r.value);
    else setProblem(r.problem.message[language.value]);
  }
  useEffect(() => { void load(); }, []);
  return (
    <Page title={t("devices.title")}>
      <Problem message={problem} />
      {list === null && !problem && <p role="status">{t("common.loading")}</p>}
      {list?.length === 0 && <p class="muted">{t("devices.none")}</p>}
      <ul class="plain">
        {list?.map((d) => (
          <li key={d.id} class="card">
            <div class="row"><h2>{d.name || "—"}</h2>{d.current && <span class="badge ok">{t("devices.this")}</span>}</div>
            <p class="muted">{t("devices.lastSeen")} : {formatDateTime(d.last_seen_at)}</p>
            {!d.current && (
              <button type="button" class="secondary" onClick={async () => {
                const failed = await revokeDevice(d.id);
                if (failed) setProblem(failed.message[language.value]);
                else await load();
              }}>{t("devices.revoke")}</button>
            )}
          </li>
        ))}
      </ul>
    </Page>
  );
}

const KNOWN_CODES = new Set(["STATE_CHANGED", "CONTENT_CHANGED", "ALREADY_DECIDED", "FORBIDDEN", "MONEY_CONFLICT", "DELETED", "TEXT_OVERWRITTEN"]);
const FIELD_LABELS: Record<string, MessageKey> = { merchant: "claims.merchant", date: "claims.date", category: "claims.category" };
const fieldLabel = (field: string): string => (FIELD_LABELS[field] ? t(FIELD_LABELS[field]) : field);

const refusedCount = (): number => rejections.value.filter((r) => r.kind === "rejected").length;
/** Where the agent fixes a refused change (the line it names, else its document). */
const fixOf = (r: Rejection): string | null => (r.kind === "rejected" ? fixPath(r, (id) => lines.value.find((l) => l.id === id)?.claim_id || undefined) : null);

export function SyncStatus() {
  const oldest = oldestPendingAt.value;
  return (
    <Page title={t("sync.title")}>
      <div class="card" role="status">
        <p><strong>{pendingCount.value ? pendingText(pendingCount.value) : refusedCount() ? t("agent.refusedBelow", { n: refusedCount() }) : t("sync.upToDate")}</strong></p>
        {oldest && <p class="muted">{formatDateTime(oldest)}</p>}
        <p class="muted">{lastSyncAt.value ? t("sync.lastSync", { when: formatDateTime(lastSyncAt.value) }) : t("sync.never")}</p>
        {!online.value && <p class="muted">{t("common.offline")}</p>}
        <button type="button" disabled={!online.value} onClick={() => void syncNow()}>{t("sync.now")}</button>
      </div>
      {rejections.value.length > 0 && (
        <section aria-labelledby="problems">
          <h2 id="problems">{t("sync.problems")}</h2>
          <ul class="plain">
            {rejections.value.map((r) => {
              const code = KNOWN_CODES.has(r.code) ? r.code : fixOf(r)?.includes("/lines/") ? "LINE" : "OTHER";
              return (
                <li key={r.id} class="card">
                  <h3>{intentLabel(r.name) ?? r.name} · <time dateTime={r.at}>{formatDateTime(r.at)}</time></h3>
                  <p><strong>{t(`reject.${code}` as MessageKey)}</strong></p>
                  <p class="muted">{r.message[language.value]}</p>
                  <p><strong>{t("sync.whatToDo")} :</strong> {t(`reject.${code}.todo` as MessageKey)}</p>
                  {r.overwritten.map((c) => (
                    <p key={c.field} class="conflict">{t("sync.overwritten", { field: fieldLabel(c.field), lost: c.lost, kept: c.kept })}</p>
                  ))}
                  {r.overwritten.length > 0 && <button type="button" onClick={() => restoreOverwritten(r.id)}>{t("sync.restore")}</button>}
                  {r.money && (
                    <div class="actions">
                      <button type="button" onClick={() => chooseMoney(r.id, "mine")}>{t("sync.moneyMine", { amount: formatMoney(r.money.client, r.money.currency) })}</button>
                      <button type="button" class="secondary" onClick={() => chooseMoney(r.id, "theirs")}>{t("sync.moneyTheirs", { amount: formatMoney(r.money.server, r.money.currency) })}</button>
                    </div>
                  )}
                  {fixOf(r) && <a class="button" href={fixOf(r) ?? ""}>{t("agent.fix")}</a>}
                  {!r.money && <button type="button" class="secondary" onClick={() => dismissRejection(r.id)}>{t("sync.dismiss")}</button>}
                </li>
              );
            })}
          </ul>
        </section>
      )}
    </Page>
  );
}
