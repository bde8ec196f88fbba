/** Screens before any account: a supplier asks for one with its SIRET (an admin approves it),
 * and an invited person chooses their password with the link they received. */
import { useState } from "preact/hooks";
import { onboard } from "../app/admin";
import { language, t } from "../app/i18n";
import { Page, Problem } from "../app/ui";

const MIN_PASSWORD = 8;

function Frame({ title, children }: { title: string; children: preact.ComponentChildren }) {
  return (
    <div class="signin">
      <img class="logo" src="/icons/icon-192.png" alt="" width={72} height={72} />
      <Page title={title}>
        {children}
        <p><a href="/">{t("onboarding.toSignIn")}</a></p>
      </Page>
    </div>
  );
}

export function SupplierRegistration() {
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  if (done) {
    return <Frame title={t("onboarding.register")}><p class="alert ok" role="status">{t("onboarding.registered")}</p></Frame>;
  }
  return (
    <Frame title={t("onboarding.register")}>
      <p class="muted">{t("onboarding.registerHelp")}</p>
      <form onSubmit={async (e) => {
        e.preventDefault();
        const form = new FormData(e.currentTarget as HTMLFormElement);
        const value = (name: string) => String(form.get(name) ?? "").trim();
        if (value("password").length < MIN_PASSWORD) { setProblem(t("onboarding.passwordShort")); return; }
        setBusy(true);
        const failed = await onboard((o) => o.requestRegistration({
          siret: value("siret"), company_name: value("company"), full_name: value("name"), email: value("email"),
          password: String(form.get("password") ?? ""), language: language.value,
        }));
        setBusy(false);
        setProblem(failed ? failed.message[language.value] : null);
        setDone(!failed);
      }}>
        <label for="reg-siret">{t("onboarding.siret")}</label>
        <input id="reg-siret" name="siret" required inputMode="numeric" autocomplete="off" aria-describedby="reg-siret-help" />
        <p id="reg-siret-help" class="muted">{t("onboarding.siretHelp")}</p>
        <label for="reg-company">{t("onboarding.company")}</label>
        <input id="reg-company" name="company" required autocomplete="organization" />
        <label for="reg-name">{t("admin.people.name")}</label>
        <input id="reg-name" name="name" required autocomplete="name" />
        <label for="reg-email">{t("signin.email")}</label>
        <input id="reg-email" name="email" type="email" required autocomplete="email" />
        <label for="reg-password">{t("onboarding.newPassword")}</label>
        <input id="reg-password" name="password" type="password" required minLength={MIN_PASSWORD} autocomplete="new-password" />
        <Problem message={problem} />
        <div class="actions"><button type="submit" disabled={busy}>{t("onboarding.send")}</button></div>
      </form>
    </Frame>
  );
}

export function AcceptInvitation() {
  const token = typeof location === "undefined" ? "" : location.hash.replace(/^#/, "");
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  if (done) {
    return <Frame title={t("onboarding.invitation")}><p class="alert ok" role="status">{t("onboarding.passwordSet")}</p></Frame>;
  }
  return (
    <Frame title={t("onboarding.invitation")}>
      <form onSubmit={async (e) => {
        e.preventDefault();
        const form = new FormData(e.currentTarget as HTMLFormElement);
        const password = String(form.get("password") ?? "");
        if (password.length < MIN_PASSWORD) { setProblem(t("onboarding.passwordShort")); return; }
        if (password !== String(form.get("again") ?? "")) { setProblem(t("onboarding.passwordsDiffer")); return; }
        const failed = await onboard((o) => o.acceptInvitation(token, password));
        setProblem(failed ? failed.message[language.value] : null);
        setDone(!failed);
      }}>
        <label for="inv-password">{t("onboarding.newPassword")}</label>
        <input id="inv-password" name="password" type="password" required minLength={MIN_PASSWORD} autocomplete="new-password" />
        <label for="inv-again">{t("onboarding.passwordAgain")}</label>
        <input id="inv-again" name="again" type="password" required autocomplete="new-password" />
        <Problem message={problem} />
        <div class="actions"><button type="submit">{t("onboarding.setPassword")}</button></div>
      </form>
    </Frame>
  );
}
