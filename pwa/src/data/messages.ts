/**
 * FR/EN texts for ack and error codes, used when the server's ack carries only a code. Mirrors
 * the server's catalogue (sync/errors.py and the domain packages); unknown codes get a generic
 * text that still names the code.
 */
import type { LocalizedText } from './types';

const CODES: Record<string, LocalizedText> = {
  MONEY_CONFLICT: {
    fr: 'Le montant a été modifié ailleurs entre-temps : choisissez la bonne valeur.',
    en: 'The amount was changed elsewhere meanwhile: choose the right value.',
  },
  ROW_DELETED: { fr: 'Cet élément a été supprimé entre-temps.', en: 'This item was deleted meanwhile.' },
  ROW_EXISTS: { fr: 'Cet élément existe déjà.', en: 'This item already exists.' },
  STATE_CHANGED: {
    fr: "Le document a changé d'état entre-temps.",
    en: 'The document changed state meanwhile.',
  },
  CONTENT_CHANGED: {
    fr: "Le document a été modifié depuis que vous l'avez vu.",
    en: 'The document changed since you saw it.',
  },
  ALREADY_DECIDED: {
    fr: 'Une décision a déjà été prise sur ce document.',
    en: 'A decision was already made on this document.',
  },
  ALREADY_DONE: { fr: 'Le service fait est déjà constaté.', en: 'Service done is already certified.' },
  FORBIDDEN: {
    fr: "Vous n'avez pas (ou plus) le droit de faire cette action.",
    en: 'You are not (or no longer) allowed to do this.',
  },
  MUTATION_UNKNOWN: { fr: 'Action inconnue du serveur.', en: 'The server does not know this action.' },
  VALIDATION_FAILED: { fr: 'Saisie invalide.', en: 'Invalid input.' },
  NOT_FOUND: { fr: 'Élément introuvable.', en: 'Item not found.' },
  NO_CHANGE: { fr: 'Aucune modification à enregistrer.', en: 'Nothing to change.' },
  ALREADY_ATTACHED: { fr: 'Ce justificatif est déjà joint.', en: 'This receipt is already attached.' },
  INTERNAL_ERROR_INTENT: {
    fr: "Erreur interne sur cette action ; rien d'autre n'est perdu.",
    en: 'Internal error on this action; nothing else is lost.',
  },
  TEXT_OVERWRITTEN: {
    fr: 'Une autre modification a été écrasée par la vôtre ; vous pouvez la restaurer.',
    en: 'Another change was overwritten by yours; you can restore it.',
  },
  BLOB_PENDING: {
    fr: "Un justificatif n'est pas encore envoyé ; nouvel essai automatique.",
    en: 'A receipt is not uploaded yet; retrying automatically.',
  },
  CLAIM_NOT_YOURS: {
    fr: "Une dépense ne peut rejoindre qu'une de vos propres notes de frais.",
    en: 'An expense line can only join one of your own expense claims.',
  },
  INVOICE_NOT_OF_ORDER: {
    fr: 'Cette facture ne se rapporte pas à ce bon de commande.',
    en: 'This invoice is not for this purchase order.',
  },
  DATES_INVALID: { fr: 'Le retour précède le départ.', en: 'The return is before the departure.' },
  TIMES_INCOMPLETE: {
    fr: "Indiquez l'heure de départ et l'heure de retour.",
    en: 'Give both the departure and the return time.',
  },
  TIMES_OUTSIDE_DATES: {
    fr: 'Le départ doit avoir lieu le premier jour de la mission et le retour le dernier jour.',
    en: "The departure must be on the mission's first day and the return on its last day.",
  },
  TIME_ZONE_UNKNOWN: { fr: 'Fuseau horaire inconnu.', en: 'Unknown time zone.' },
  FX_RATE_MISSING: {
    fr: "Une dépense en devise n'a pas de taux de change : indiquez le taux du jour sur la dépense.",
    en: 'An expense in a foreign currency has no exchange rate: enter the rate of the day on the line.',
  },
  RECEIPT_MISSING: { fr: 'Un justificatif manque sur une dépense.', en: 'A receipt is missing on an expense line.' },
  CLAIM_EMPTY: { fr: 'La note de frais ne contient aucune dépense.', en: 'The expense claim has no expense line.' },
  POLICY_BLOCKING: {
    fr: 'Une dépense dépasse une règle bloquante de votre organisation.',
    en: 'An expense breaks a blocking rule of your organisation.',
  },
  NOT_EDITABLE: { fr: "Ce document n'est plus modifiable.", en: 'This document can no longer be edited.' },
  INVALID_TRANSITION: {
    fr: "Cette action n'est pas possible dans l'état actuel du document.",
    en: "This action is not possible in the document's current state.",
  },
  SCHEMA_TOO_OLD: {
    fr: 'Votre application est trop ancienne : mettez-la à jour.',
    en: 'Your app is too old: update it.',
  },
};

/** The FR/EN text for a code (server-provided text wins when the caller has it). */
export function describeCode(code: string, serverText?: LocalizedText | null): LocalizedText {
  if (serverText && serverText.fr && serverText.en) return serverText;
  return (
    CODES[code] ?? {
      fr: `Action refusée par le serveur (${code}).`,
      en: `The server refused this action (${code}).`,
    }
  );
}
