/** The thread of questions and answers on a mission or an expense claim: the manager asks from
 * the decision screen without returning the request, the agent answers from their document.
 * Works offline (the message is queued and shows at once, marked as waiting). */
import { useState } from "preact/hooks";
import { addComment, commentRefusals, dismissRejection, isMine, online, threadOf } from "../app/data";
import { formatDateTime, language, t } from "../app/i18n";
import { Problem } from "../app/ui";

type DocumentType = "mission" | "expense_claim";

/** What the server refused: the message as typed and why, to copy it back and fix it. */
function Refused({ documentId, onRetype }: { documentId: string; onRetype: (body: string) => void }) {
  const refused = commentRefusals(documentId);
  if (refused.length === 0) return null;
  return (
    <ul class="plain" aria-label={t("comments.refused")}>
      {refused.map((p) => (
        <li key={p.key} class="alert bad"><div role="alert" data-refusal={p.code}>
          <p><strong>{t("comments.refused")}</strong> — {p.message[language.value]}</p>
          <p class="comment-body">{String(p.intent.args["body"] ?? "")}</p>
          <div class="actions">
            <button type="button" class="secondary" onClick={() => { onRetype(String(p.intent.args["body"] ?? "")); dismissRejection(p.key); }}>{t("comments.retype")}</button>
            <button type="button" class="secondary" onClick={() => dismissRejection(p.key)}>{t("sync.dismiss")}</button>
          </div>
        </div></li>
      ))}
    </ul>
  );
}

/** The thread (a list: who, when, what) and the field to write in it. `asking`: the words of
 * the one who decides ("Ask a question"), else the requester's ("Answer"). */
export function CommentThread({ documentType, documentId, asking }: { documentType: DocumentType; documentId: string; asking: boolean }) {
  const thread = threadOf(documentId);
  const [body, setBody] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [wrote, setWrote] = useState(false);
  const heading = `comments-${documentId}`;
  const field = `comment-${documentId}`;
  function send(event: Event) {
    event.preventDefault();
    const text = body.trim();
    if (!text) return setProblem(t("comments.empty"));
    addComment(documentType, documentId, text);
    setBody("");
    setProblem(null);
    setWrote(true);
  }
  // Where what this user wrote stands: kept on the phone, being sent, or on the server.
  const waiting = thread.some((c) => c.pending && isMine(c));
  const status = !wrote ? "" : !waiting ? t("comments.delivered") : t(online.value ? "comments.sent" : "comments.queued");
  return (
    <section class="card" aria-labelledby={heading} data-thread={documentId}>
      <h2 id={heading}>{t("comments.title")}</h2>
      <Refused documentId={documentId} onRetype={setBody} />
      {thread.length === 0 ? <p class="muted">{t("comments.none")}</p> : (
        <ol class="plain thread" aria-label={t("comments.thread", { n: thread.length })}>
          {thread.map((c) => (
            <li key={c.id} data-comment={c.id} class={isMine(c) ? "mine" : ""}>
              <p class="muted">
                <strong>{isMine(c) ? t("comments.you") : c.author_name || t("comments.someone")}</strong>
                {" · "}<time dateTime={c.created_at}>{formatDateTime(c.created_at)}</time>
                {c.pending && <>{" · "}{t("comments.waiting")}</>}
              </p>
              <p class="comment-body">{c.body}</p>
            </li>
          ))}
        </ol>
      )}
      <form onSubmit={send}>
        <label for={field}>{t(asking ? "comments.ask" : "comments.answer")}</label>
        <textarea id={field} rows={3} value={body} onInput={(e) => setBody((e.currentTarget as HTMLTextAreaElement).value)} />
        <Problem message={problem} />
        <div class="actions"><button type="submit" class="secondary">{t(asking ? "comments.sendQuestion" : "comments.sendAnswer")}</button></div>
        <p role="status" class="muted">{status}</p>
      </form>
    </section>
  );
}
