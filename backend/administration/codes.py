"""Error codes of the administration, each with its French and English message."""

from __future__ import annotations

from kernel.errors import Problem, register_codes

__all__ = ("ADMIN_CODES",)

ADMIN_CODES: dict[str, Problem] = {
    "UNIT_UNKNOWN": Problem(
        400, "Unité inconnue dans cette organisation.", "Unknown unit in this organisation."),
    "UNIT_TREE_CYCLE": Problem(
        400, "L'arbre des unités formerait une boucle (une unité sous elle-même).",
        "The unit tree would contain a cycle (a unit under itself)."),
    "UNIT_CODE_TAKEN": Problem(
        409, "Une autre unité porte déjà ce code service.",
        "Another unit already uses this code service."),
    "EMAIL_DUPLICATE": Problem(
        400, "Cette adresse e-mail apparaît plusieurs fois.",
        "This email address appears more than once."),
    "ROLE_INVALID": Problem(
        400, "Rôle invalide (agent, manager, back_office ou admin).",
        "Invalid role (agent, manager, back_office or admin)."),
    "UNIT_REQUIRED": Problem(
        400, "Un agent ou un valideur doit appartenir à une unité.",
        "An agent or a manager must belong to a unit."),
    "ADMIN_LAST": Problem(
        409, "Impossible : c'est le dernier administrateur actif de l'organisation.",
        "Not possible: this is the organisation's last active administrator."),
    "ORGANISATION_KIND_INVALID": Problem(
        400, "Type d'organisation invalide (État, collectivité, hôpital, entreprise publique).",
        "Invalid organisation kind (State, local authority, hospital, public company)."),
    "SIRET_TAKEN": Problem(
        409, "Ce numéro SIRET est déjà enregistré.", "This SIRET number is already registered."),
    "INIT_ALREADY_DONE": Problem(
        409, "La base contient déjà un administrateur : l'initialisation est déjà faite.",
        "The database already has an administrator: initialisation is already done."),
    "REGISTRATION_DECIDED": Problem(
        409, "Cette demande d'inscription a déjà été traitée.",
        "This registration request has already been decided."),
    "INVITATION_INVALID": Problem(
        400, "Lien d'invitation invalide, expiré ou déjà utilisé.",
        "Invitation link invalid, expired or already used."),
    "PASSWORD_TOO_SHORT": Problem(
        400, "Le mot de passe doit comporter au moins 8 caractères.",
        "The password must have at least 8 characters."),
    "INTEGRATION_KEY_IN_USE": Problem(
        409, "C'est la dernière clé active de l'organisation : le système financier ne pourrait "
        "plus rien envoyer. Faites plutôt une rotation, ou confirmez la révocation.",
        "This is the organisation's last active key: the financial system could no longer "
        "send anything. Rotate it instead, or confirm the revocation."),
    "RULE_SET_IN_PAST": Problem(
        400, "Une nouvelle version des règles ne peut pas prendre effet dans le passé.",
        "A new rule set version cannot take effect in the past."),
    "RULE_SET_NAME_TAKEN": Problem(
        409, "Une version des règles porte déjà ce nom.",
        "A rule set version already has this name."),
    "IMPORT_INVALID": Problem(
        400, "Le fichier contient des erreurs : rien n'a été importé.",
        "The file has errors: nothing was imported."),
    "CSV_ENCODING": Problem(
        400, "Le fichier n'est pas en UTF-8 (enregistrez-le en « CSV UTF-8 »).",
        "The file is not UTF-8 (save it as \"CSV UTF-8\")."),
    "CSV_COLUMNS_MISSING": Problem(
        400, "Colonnes manquantes dans l'en-tête du fichier.",
        "Columns missing from the file's header."),
    "CSV_VALUE_MISSING": Problem(
        400, "Valeur obligatoire manquante sur cette ligne.",
        "A required value is missing on this line."),
    "CSV_ROW_TYPE": Problem(
        400, "Type de ligne inconnu (unit ou person).", "Unknown row type (unit or person)."),
    "EMAIL_INVALID": Problem(400, "Adresse e-mail invalide.", "Invalid email address."),
    "SUPPLIER_ADMIN_REQUIRED": Problem(
        403, "Réservé à l'administrateur de votre entreprise fournisseur.",
        "Only your supplier company's administrator may do that."),
    "PLATFORM_ADMIN_REQUIRED": Problem(
        403, "Réservé aux administrateurs de l'organisation qui exploite la plateforme.",
        "Only the administrators of the organisation running the platform may do that."),
    "ORGANISATION_SIRET_TAKEN": Problem(
        409, "Une organisation porte déjà ce numéro SIRET.",
        "An organisation already has this SIRET number."),
}

register_codes(ADMIN_CODES)
