/** PIN set-up after the first sign-in, and unlock with the PIN on later starts. */
import { useState } from "preact/hooks";
import { savePin, unlockWithPin, signOut } from "../app/data";
import { language, t } from "../app/i18n";
import { Page, Problem } from "../app/ui";

const VALID = /^\d{4,6}$/;

export default function Pin({ mode, onDone }: { mode: "setup" | "unlock"; onDone?: () => void }) {
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const pin = String(form.get("pin") ?? "");
    if (!VALID.test(pin)) return setProblem(t("pin.invalid"));
    if (mode === "setup" && pin !== String(form.get("confirm") ?? "")) return setProblem(t("pin.mismatch"));
    setBusy(true);
    const failed = mode === "setup" ? await savePin(pin) : await unlockWithPin(pin);
    setBusy(false);
    if (failed) {
      const left = failed.details?.attempts_left;
      if (failed.code !== "PIN_WRONG") return setProblem(failed.message[language.value]);
      return setProblem(typeof left === "number" ? `${t("pin.wrong")} ${t("pin.attemptsLeft", { n: left })}` : t("pin.wrong"));
    }
    onDone?.();
  }

  return (
    <div class="signin">
      <Page title={mode === "setup" ? t("pin.setTitle") : t("pin.unlockTitle")}>
        {mode === "setup" && <p class="muted">{t("pin.setHelp")}</p>}
        {mode === "unlock" && <p class="muted">{t("pin.unlockHelp")}</p>}
        <form onSubmit={submit}>
          <label for="pin">{t("pin.label")}</label>
          <input id="pin" name="pin" type="password" inputMode="numeric" autocomplete="off" pattern="[0-9]*" minLength={4} maxLength={6} required autoFocus={mode === "unlock"} />
          {mode === "setup" && (
            <>
              <label for="confirm">{t("pin.confirm")}</label>
              <input id="confirm" name="confirm" type="password" inputMode="numeric" autocomplete="off" pattern="[0-9]*" minLength={4} maxLength={6} required />
            </>
          )}
          <Problem message={problem} />
          <div class="actions">
            <button type="submit" disabled={busy}>{mode === "setup" ? t("pin.save") : t("pin.unlock")}</button>
            {mode === "setup" ? (
              <button type="button" class="secondary" onClick={() => onDone?.()}>{t("pin.skip")}</button>
            ) : (
              <button type="button" class="secondary" onClick={() => void signOut()}>{t("pin.usePassword")}</button>
            )}
          </div>
        </form>
      </Page>
    </div>
  );
}
