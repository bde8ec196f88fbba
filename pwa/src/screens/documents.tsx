/** The printed mission order or expense claim (PDF, in the app's language): fetched with the
 * user's session and handed to the phone as a download, to keep or share. */
import { useState } from "preact/hooks";
import { language, t } from "../app/i18n";
import { downloadDocument } from "../app/vehicle";
import { Problem } from "../app/ui";

export function PdfButton({ kind, id }: { kind: "mission" | "claim"; id: string }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  async function download() {
    setBusy(true);
    setProblem(null);
    const name = `${kind === "mission" ? t("pdf.missionFile") : t("pdf.claimFile")}-${id.slice(0, 8)}.pdf`;
    if (!(await downloadDocument(kind, id, language.value, name))) setProblem(t("pdf.failed"));
    setBusy(false);
  }
  return (
    <>
      <div class="actions">
        <button type="button" class="secondary" disabled={busy} onClick={() => void download()}>
          {kind === "mission" ? t("pdf.mission") : t("pdf.claim")}
        </button>
      </div>
      {busy && <p role="status">{t("pdf.preparing")}</p>}
      <Problem message={problem} />
    </>
  );
}
