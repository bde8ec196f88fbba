"""Error and refusal codes of the business workflows, with their FR/EN messages.

STATE_CHANGED, CONTENT_CHANGED, ALREADY_DECIDED and BLOB_PENDING are the sync protocol's
(``sync.errors``); the codes below are the workflows' own.
"""

from __future__ import annotations

from kernel.errors import Problem, register_codes

__all__ = ("WORKFLOW_CODES",)

WORKFLOW_CODES = {
    "INVALID_TRANSITION": Problem(409, "Cette action n'est pas possible dans l'état actuel du "
                                  "document.", "This action is not possible in the document's "
                                  "current state."),
    "CONTENT_HASH_REQUIRED": Problem(400, "Une décision doit indiquer le contenu vu.",
                                     "A decision must say which content was seen."),
    "REASON_REQUIRED": Problem(400, "Un motif est obligatoire.", "A reason is required."),
    "NOT_EDITABLE": Problem(409, "Ce document n'est plus modifiable.",
                            "This document can no longer be edited."),
    "DATES_INVALID": Problem(400, "La date de fin précède la date de début.",
                             "The end date is before the start date."),
    "TIMES_INCOMPLETE": Problem(400, "Indiquez l'heure de départ et l'heure de retour.",
                                "Give both the departure and the return time."),
    "TIMES_OUTSIDE_DATES": Problem(400, "Le départ doit avoir lieu le premier jour de la mission "
                                   "et le retour le dernier jour.", "The departure must be on the "
                                   "mission's first day and the return on its last day."),
    "TIME_ZONE_UNKNOWN": Problem(400, "Fuseau horaire inconnu.", "Unknown time zone."),
    "AMOUNT_INVALID": Problem(400, "Montant invalide.", "Invalid amount."),
    "CONCURRENT_UPDATE": Problem(503, "Le document est modifié en même temps ailleurs ; nouvel "
                                 "essai automatique.", "The document is being changed elsewhere; "
                                 "retrying automatically."),
    "MISSION_NOT_APPROVED": Problem(409, "La mission doit être autorisée avant la note de frais.",
                                    "The mission must be approved before the expense claim."),
    "CLAIM_EMPTY": Problem(409, "La note de frais ne contient aucune dépense.",
                           "The expense claim has no expense line."),
    "CLAIM_NOT_YOURS": Problem(403, "Une dépense ne peut rejoindre qu'une de vos propres notes "
                               "de frais.", "An expense line can only join one of your own "
                               "expense claims."),
    "INVOICE_NOT_OF_ORDER": Problem(409, "Cette facture ne se rapporte pas à ce bon de "
                                    "commande.", "This invoice is not for this purchase order."),
    "FX_RATE_MISSING": Problem(409, "Une dépense en devise n'a pas de taux de change : "
                               "indiquez le taux du jour sur la dépense.", "An expense in a "
                               "foreign currency has no exchange rate: enter the rate of the "
                               "day on the line."),
    "RECEIPT_MISSING": Problem(409, "Un justificatif manque sur une dépense.",
                               "A receipt is missing on an expense line."),
    "POLICY_BLOCKING": Problem(409, "Une dépense dépasse une règle bloquante de votre "
                               "organisation.", "An expense breaks a blocking rule of your "
                               "organisation."),
    "QUANTITY_EXCEEDS_ORDERED": Problem(400, "La quantité reçue dépasse la quantité commandée.",
                                        "The quantity received exceeds the quantity ordered."),
    "QUANTITY_INVALID": Problem(400, "Quantité invalide.", "Invalid quantity."),
    "ORDER_LINE_UNKNOWN": Problem(400, "Ligne de commande inconnue.", "Unknown order line."),
    "CERTIFICATION_EMPTY": Problem(400, "Aucune quantité à constater.",
                                   "No quantity to certify."),
    "NOTHING_TO_REVOKE": Problem(409, "Aucun service fait à révoquer.",
                                 "No service done to revoke."),
    "PAYMENT_ALREADY_ORDERED": Problem(409, "Un paiement a déjà été ordonnancé sur la foi de "
                                       "ce service fait : faites d'abord annuler le mandat.",
                                       "A payment was already ordered on the strength of this "
                                       "service done: have the payment order cancelled first."),
    "INVOICE_STATUS_UNKNOWN": Problem(400, "Statut de facture inconnu.",
                                      "Unknown invoice status."),
    "INVOICE_EXISTS": Problem(409, "Une autre facture porte déjà ce numéro pour ce fournisseur.",
                              "Another invoice of this supplier already has this number."),
    "SUPPLIER_UNKNOWN": Problem(400, "Fournisseur inconnu (SIRET).", "Unknown supplier (SIRET)."),
    "API_KEY_INVALID": Problem(401, "Clé d'API invalide.", "Invalid API key."),
    "EVENT_REUSED": Problem(409, "Cet identifiant d'événement a déjà servi pour un autre "
                            "contenu.", "This event id was already used for other content."),
}

register_codes(WORKFLOW_CODES)
