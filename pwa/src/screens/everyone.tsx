/** Screens for everyone: notification inbox, settings (language, push, storage), devices,
 * sync status with refused changes explained in plain words. */
import { useEffect, useState } from "preact/hooks";
import {
  devices, dismissRejection, enablePush, inbox, lastSyncAt, loadInbox, markRead, oldestPendingAt, online, pendingCount, pushPrefs, rejections, revokeDevice, session,
  setPushPref, signOut, syncNow,
} from "../app/data";
import { formatDateTime, intentLabel, language, pendingText, setLanguage, t, type Language, type MessageKey } from "../app/i18n";
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
      <ul class="plain">
        {list?.map((n) => (
          <li key={n.id} class="card">
            <div class="row">
              <h2><a href={n.url}>{n.title}</a></h2>
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

const PUSH_KINDS = [["invoice", "settings.pushInvoice"], ["approval", "settings.pushApproval"], ["decision", "settings.pushDecision"]] as const;

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
            <input type="radio" name="lang" value={l} checked={language.value === l} onChange={() => setLanguage(l)} />
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
        {PUSH_KINDS.map(([kind, label]) => (
          <label key={kind} class="check">
            <input type="checkbox" checked={pushPrefs.value[kind]} onChange={(e) => setPushPref(kind, (e.currentTarget as HTMLInputElement).checked)} />
            {t(label)}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>{t("settings.storage")}</legend>
        <p class="muted">{persisted ? t("settings.persisted") : t("settings.notPersisted")}</p>
      </fieldset>
      <div class="actions">
        <a class="button secondary" href="/sync">{t("sync.title")}</a>
        <a class="button secondary" href="/settings/devices">{t("settings.devices")}</a>
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

const KNOWN_CODES = new Set(["STATE_CHANGED", "CONTENT_CHANGED", "ALREADY_DECIDED", "FORBIDDEN", "MONEY_CONFLICT", "DELETED"]);

export function SyncStatus() {
  const oldest = oldestPendingAt.value;
  return (
    <Page title={t("sync.title")}>
      <div class="card" role="status">
        <p><strong>{pendingCount.value ? pendingText(pendingCount.value) : t("sync.upToDate")}</strong></p>
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
              const code = KNOWN_CODES.has(r.code) ? r.code : "OTHER";
              return (
                <li key={r.id} class="card">
                  <h3>{intentLabel(r.name) ?? r.name} · <time dateTime={r.at}>{formatDateTime(r.at)}</time></h3>
                  <p><strong>{t(`reject.${code}` as MessageKey)}</strong></p>
                  <p class="muted">{r.message[language.value]}</p>
                  <p><strong>{t("sync.whatToDo")} :</strong> {t(`reject.${code}.todo` as MessageKey)}</p>
                  <button type="button" class="secondary" onClick={() => dismissRejection(r.id)}>{t("sync.dismiss")}</button>
                </li>
              );
            })}
          </ul>
        </section>
      )}
    </Page>
  );
}
