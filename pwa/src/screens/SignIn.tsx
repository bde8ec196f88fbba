/** Sign-in with email and password (the account's first sign-in on this phone). */
import { useState } from "preact/hooks";
import { signIn, online, expired, wipedNotice } from "../app/data";
import { language, setLanguage, t } from "../app/i18n";
import { Page, Problem } from "../app/ui";

export function SignIn() {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  async function submit(event: Event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setProblem(null);
    const failed = await signIn(String(form.get("email") ?? "").trim(), String(form.get("password") ?? ""));
    setBusy(false);
    if (!failed) wipedNotice.value = false;
    if (failed) setProblem(`${t("signin.failed")} : ${failed.message[language.value]}`);
  }

  const other = language.value === "fr" ? "en" : "fr";
  return (
    <div class="signin">
      <img class="logo" src="/icons/icon-192.png" alt="" width={72} height={72} />
      <Page title={t("signin.title")}>
        {expired.value && <p class="alert" role="status">{t("signin.expired")}</p>}
        {wipedNotice.value && <p class="alert bad" role="alert">{t("pin.wiped")}</p>}
        {!online.value && <p class="alert info" role="status">{t("signin.offline")}</p>}
        <form onSubmit={submit} noValidate={false}>
          <label for="email">{t("signin.email")}</label>
          <input id="email" name="email" type="email" autocomplete="username" inputMode="email" required />
          <label for="password">{t("signin.password")}</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required />
          <Problem message={problem} />
          <div class="actions">
            <button type="submit" disabled={busy}>{busy ? t("signin.busy") : t("signin.submit")}</button>
          </div>
        </form>
        <p><a href="/register">{t("onboarding.askAccount")}</a></p>
        <div class="actions">
          <button type="button" class="link" lang={other} onClick={() => setLanguage(other)}>
            {other === "en" ? "English" : "Français"}
          </button>
        </div>
        <p><a href="/accessibility">{t("a11y.link")}</a></p>
      </Page>
    </div>
  );
}
