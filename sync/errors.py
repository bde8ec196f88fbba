"""The sync protocol's error and ack codes, with their FR/EN messages."""

from __future__ import annotations

from kernel.errors import Problem, register_codes

__all__ = ("SYNC_CODES",)

SYNC_CODES = {
    "SEQ_GAP": Problem(409, "Des modifications manquent avant celle-ci ; renvoyez depuis la "
                       "première non confirmée.", "Changes are missing before this one; resend "
                       "from the first unacknowledged one."),
    "CLIENT_TAKEN": Problem(403, "Cet identifiant de client appartient à un autre utilisateur.",
                            "This client id belongs to another user."),
    "PUSH_TOO_MANY": Problem(413, "Trop de modifications dans un seul envoi.",
                             "Too many changes in one push."),
    "PUSH_TOO_LARGE": Problem(413, "Envoi trop volumineux.", "Push too large."),
    "COOKIE_INVALID": Problem(400, "Curseur de synchronisation illisible ; resynchronisez.",
                              "Unreadable sync cookie; resync."),
    "SCHEMA_TOO_OLD": Problem(409, "Votre application est trop ancienne : mettez-la à jour.",
                              "Your app is too old: update it."),
    "MUTATION_UNKNOWN": Problem(400, "Action inconnue du serveur.",
                                "The server does not know this action."),
    "MUTATION_VERSION_UNKNOWN": Problem(503, "Le serveur ne connaît pas encore cette version "
                                        "de l'action ; nouvel essai plus tard.", "The server "
                                        "does not know this action version yet; retrying later."),
    "MONEY_CONFLICT": Problem(409, "Le montant a été modifié ailleurs entre-temps : choisissez "
                              "la bonne valeur.", "The amount was changed elsewhere meanwhile: "
                              "choose the right value."),
    "ROW_DELETED": Problem(409, "Cet élément a été supprimé entre-temps.",
                           "This item was deleted meanwhile."),
    "ROW_EXISTS": Problem(409, "Cet élément existe déjà.", "This item already exists."),
    "STATE_CHANGED": Problem(409, "Le document a changé d'état entre-temps.",
                             "The document changed state meanwhile."),
    "CONTENT_CHANGED": Problem(409, "Le document a été modifié depuis que vous l'avez vu.",
                               "The document changed since you saw it."),
    "ALREADY_DECIDED": Problem(409, "Une décision a déjà été prise sur ce document.",
                               "A decision was already made on this document."),
    "ALREADY_DONE": Problem(409, "Le service fait est déjà constaté.",
                            "Service done is already certified."),
    "BLOB_PENDING": Problem(503, "Un justificatif n'est pas encore envoyé ; nouvel essai "
                            "automatique.", "A receipt is not uploaded yet; retrying "
                            "automatically."),
    "BLOB_TOO_LARGE": Problem(413, "Fichier trop volumineux.", "File too large."),
    "BLOB_NOT_DOCUMENT": Problem(415, "Seuls les photos et les PDF sont acceptés.",
                                 "Only photos and PDFs are accepted."),
    "BLOB_OFFSET_MISMATCH": Problem(409, "Reprise de l'envoi à une mauvaise position.",
                                    "Upload resumed at the wrong offset."),
    "BLOB_CHUNK_CHECKSUM": Problem(400, "Morceau de fichier altéré en route ; renvoyez-le.",
                                   "File chunk corrupted in transit; send it again."),
    "BLOB_CHECKSUM_MISMATCH": Problem(400, "Le fichier reçu ne correspond pas à son empreinte.",
                                      "The received file does not match its checksum."),
    "BLOB_NOT_FOUND": Problem(404, "Fichier introuvable.", "File not found."),
    "BLOB_HASH_INVALID": Problem(400, "Empreinte SHA-256 invalide.", "Invalid SHA-256 digest."),
    "NO_CHANGE": Problem(409, "Rien n'a changé.", "Nothing changed."),
    "ALREADY_ATTACHED": Problem(409, "Ce justificatif est déjà joint.",
                                "This receipt is already attached."),
    # Not an error: the name a client gives an applied edit whose ack reports `conflicts` (a
    # value it overwrote), so its text comes from this catalogue like every other code's.
    "TEXT_OVERWRITTEN": Problem(409, "Une autre modification a été écrasée par la vôtre ; vous "
                                "pouvez la restaurer.", "Another change was overwritten by "
                                "yours; you can restore it."),
    "INTERNAL_ERROR_INTENT": Problem(500, "Erreur interne sur cette action ; rien d'autre n'est "
                                     "perdu.", "Internal error on this action; nothing else is "
                                     "lost."),
}

register_codes(SYNC_CODES)
