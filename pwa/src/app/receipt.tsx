/** The receipt of an expense line, shown beside the fields read from it: a thumbnail that opens
 * the full image in a modal dialog (keyboard: Enter/Space opens, Escape closes, focus returns
 * to the thumbnail). Images come through the data layer (the queued photo offline, the cached
 * or the server's rendition); a failed load is tried again when the phone comes online or a
 * pending upload finishes. */
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { blobsPending, online, receiptImage } from "./data";
import { formatDate, language, t } from "./i18n";
import type { ApiProblem, ExpenseLine } from "./model";

/** The image's text alternative: what the receipt is, as far as the line knows. */
export function receiptAlt(line: Pick<ExpenseLine, "merchant" | "spent_on" | "reading">): string {
  if (!line.merchant || line.reading === "pending") return t("claims.receiptAltUnread");
  return t("claims.receiptAlt", { merchant: line.merchant, date: formatDate(line.spent_on) });
}

/** An object URL of a rendition, revoked when replaced or when the component goes. */
function useReceiptUrl(lineId: string, sha256: string, rendition: "thumbnail" | "image", wanted: boolean) {
  const [url, setUrl] = useState<string | null>(null);
  const [failure, setFailure] = useState<{ problem: ApiProblem; offline: boolean } | null>(null);
  // While nothing is shown, coming online or an upload finishing is worth another try.
  const retry = url === null && wanted ? `${online.value}:${blobsPending.value}` : "shown";
  useEffect(() => {
    if (!wanted || url !== null) return undefined;
    let live = true;
    void receiptImage(lineId, sha256, rendition).then((result) => {
      if (!live) return;
      if (result.ok) {
        setUrl(URL.createObjectURL(result.blob));
        setFailure(null);
      } else setFailure({ problem: result.problem, offline: result.offline });
    });
    return () => { live = false; };
  }, [lineId, sha256, rendition, wanted, retry]);
  useEffect(() => () => { if (url) URL.revokeObjectURL(url); }, [url]);
  return { url, failure };
}

/** The thumbnail, with `children` (what the line says of its receipt) beside it. */
export function ReceiptPreview({ line, sha256, children }: { line: ExpenseLine; sha256: string; children?: ComponentChildren }) {
  const [opened, setOpened] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);
  const thumb = useReceiptUrl(line.id, sha256, "thumbnail", true);
  const full = useReceiptUrl(line.id, sha256, "image", opened);
  const alt = receiptAlt(line);

  function open() {
    setOpened(true);
    dialog.current?.showModal();
  }

  if (thumb.url === null) {
    const text = thumb.failure === null ? t("common.loading")
      : thumb.failure.offline ? t("claims.receiptOffline") : thumb.failure.problem.message[language.value];
    return (
      <>
        {children}
        <p class="muted" role="status" data-receipt-problem={thumb.failure?.problem.code}>{text}</p>
      </>
    );
  }
  return (
    <div class="receipt">
      <button type="button" class="receipt-thumb" aria-haspopup="dialog" onClick={open}>
        <img src={thumb.url} alt={alt} data-receipt-thumbnail="" />
        <span>{t("claims.receiptEnlarge")}</span>
      </button>
      <div>{children}</div>
      <dialog ref={dialog} class="receipt-dialog" aria-label={alt} onClose={() => setOpened(false)}>
        <img src={full.url ?? thumb.url} alt={alt} data-receipt-full={full.url ? "" : undefined} />
        <form method="dialog">
          <button type="submit" autofocus>{t("claims.receiptClose")}</button>
        </form>
      </dialog>
    </div>
  );
}
