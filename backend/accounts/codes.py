"""Error codes of the accounts domain, each with its French and English message."""

from __future__ import annotations

from kernel.errors import Problem, register_codes

__all__ = ("ACCOUNT_CODES",)

ACCOUNT_CODES: dict[str, Problem] = {
    "INVALID_CREDENTIALS": Problem(
        401, "Adresse e-mail ou mot de passe incorrect.", "Wrong email address or password."
    ),
    "SESSION_EXPIRED": Problem(
        401,
        "Votre session a expiré, reconnectez-vous avec votre mot de passe.",
        "Your session has expired, sign in again with your password.",
    ),
    "REFRESH_REUSED": Problem(
        401,
        "Session fermée par sécurité (jeton déjà utilisé), reconnectez-vous.",
        "Session closed for safety (token already used), sign in again.",
    ),
    "PIN_INVALID_FORMAT": Problem(
        400, "Le code doit comporter 4 à 6 chiffres.", "The PIN must have 4 to 6 digits."
    ),
    "PIN_NOT_SET": Problem(
        400,
        "Aucun code n'est défini sur cet appareil, connectez-vous avec votre mot de passe.",
        "No PIN is set on this device, sign in with your password.",
    ),
    "PIN_WRONG": Problem(401, "Code incorrect.", "Wrong PIN."),
    "SESSION_WIPED": Problem(
        401,
        "Trop de codes incorrects : la session de cet appareil est effacée, "
        "reconnectez-vous avec votre mot de passe.",
        "Too many wrong PINs: this device's session was wiped, sign in with your password.",
    ),
    "SESSION_LOCKED": Problem(
        423,
        "Session verrouillée : saisissez votre code pour continuer.",
        "Session locked: enter your PIN to continue.",
    ),
    "SIRET_INVALID": Problem(
        400,
        "Numéro SIRET invalide (14 chiffres, clé de contrôle).",
        "Invalid SIRET number (14 digits, check digit).",
    ),
    "EMAIL_TAKEN": Problem(
        409,
        "Un compte existe déjà avec cette adresse e-mail.",
        "An account already uses this email address.",
    ),
    "DELEGATE_INVALID": Problem(
        400,
        "Délégation impossible à cette personne : elle doit être un collègue actif de votre "
        "organisation.",
        "You cannot delegate to this person: they must be an active colleague of your "
        "organisation.",
    ),
    "DELEGATION_SELF": Problem(
        400,
        "Vous ne pouvez pas vous déléguer vos propres validations.",
        "You cannot delegate your approvals to yourself.",
    ),
    "DELEGATION_ENDS_BEFORE_START": Problem(
        400,
        "La fin de la délégation doit suivre son début.",
        "The delegation must end after it starts.",
    ),
    "DELEGATION_PERIOD_INVALID": Problem(
        400,
        "Période de délégation invalide : la fin doit être à venir.",
        "Invalid delegation period: the end must be in the future.",
    ),
    "DELEGATION_OVERLAPS": Problem(
        409,
        "Vous déléguez déjà vos validations sur une partie de cette période : terminez "
        "d'abord cette délégation.",
        "You already delegate your approvals during part of this period: end that delegation "
        "first.",
    ),
}

register_codes(ACCOUNT_CODES)
