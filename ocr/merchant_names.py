"""Cleaning a merchant line read by OCR into a name (pure text rules).

- junk and specks around the name and a registration number after it are trimmed;
- legal forms, a closed list, are restored when misread by confusable characters ("SON BHO" →
  "SDN BHD", "5/8" → "S/B"); in the pair "SDN BHD" a damaged or lost half is restored from
  the other; a one-letter pair around a slash after a name is "S/B" (the only legal form with
  a slash) when its first half is an S or a character read for it ("5/2", "S/R");
- what follows a final legal form is dropped when it is not words (a number, a parenthesis);
- dotted initials read with digits get their letters back ("D.1.Y." → "D.I.Y."), and a
  parenthesis read as C its shape ("CM)" → "(M)");
- a word one misread letter away from a common trade word is that word ("BAKERTES",
  "HART" → "MART": H and M are confusable), from a general vocabulary, not from shop names.
"""

from __future__ import annotations

import re

__all__ = ("LEGAL_FORMS", "TRADE_WORDS", "clean_name", "ends_with_registration", "is_legal_form",
           "is_registration")

#: Legal forms, a closed list, restored when misread by confusable characters.
LEGAL_FORMS = ("SDN", "BHD", "SARL", "SAS", "SASU", "EURL", "LTD", "GMBH", "SNC", "S/B")
#: Forms that end a company name ("… SDN BHD", "… LTD"); French ones may also open it.
_FINAL_FORMS = frozenset(("BHD", "S/B", "LTD", "LIMITED", "SARL", "SAS", "SASU", "EURL",
                          "SNC", "GMBH", "INC", "LLC", "PLC"))
_CONFUSABLE = {frozenset(p) for p in (
    "OD", "0D", "BD", "HM", "NM", "WM", "IL", "1L", "5S", "8B", "0O", "UO", "RB", "$S",
)}
#: "S/B" (Sendirian Berhad) read with its letters damaged: an S (or 5, $) and one character.
_SLASH_FORM = re.compile(r"[S5$]/[A-Z0-9]\.?")
_JUNK = " -|:*.,'\"!_~=‘’“”«»#"
#: A company registration number printed after the name: "(123456-X)", "CO. REG 123456-X".
_REGISTRATION = re.compile(
    r"[\s(\[{]*(?:CO\.?\s*(?:REG\.?|NO\.?)\s*:?\s*)?\d[\d ]{4,}\s*-?\s*[A-Z]?\s*[)\]}]?\s*$",
    re.IGNORECASE,
)
#: Common trade words of shop and company names (English, French, Malay), general vocabulary.
TRADE_WORDS = (
    "ENTERPRISE", "ENTERPRISES", "TRADING", "TRADERS", "HOLDINGS", "INTERNATIONAL", "INDUSTRIES",
    "CORPORATION", "COMPANY", "MARKETING", "DISTRIBUTION", "DISTRIBUTOR", "SERVICES", "SERVICE",
    "RETAIL", "SUPERMARKET", "HYPERMARKET", "MINIMARKET", "MARKET", "MART", "STORE", "STORES",
    "SHOP", "CENTRE", "CENTER", "RESTAURANT", "RESTAURANTS", "RESTORAN", "KITCHEN", "CAFE",
    "BAKERY", "BAKERIES", "CONFECTIONERY", "PHARMACY", "HARDWARE", "STATIONERY", "STATIONERS",
    "BOOKSTORE", "BOOKSTORES", "ELECTRICAL", "ELECTRONICS", "MACHINERY", "FURNITURE", "FOOD",
    "FOODS", "BEVERAGE", "SEAFOOD", "HOTEL", "STATION", "PETROL", "PARKING", "GARAGE",
    "PERNIAGAAN", "KEDAI", "PASARAYA", "BRASSERIE", "BOULANGERIE", "PATISSERIE", "PHARMACIE",
    "LIBRAIRIE", "TRAITEUR", "CREPERIE", "PIZZERIA", "AUBERGE", "EPICERIE", "BOUCHERIE",
    "QUINCAILLERIE", "PAPETERIE", "TABAC", "PRESSE", "RELAIS",
)
#: A line that is only a company registration number ("(162761-M)", "002693074-K"): digits,
#: a dash and a check letter, in parentheses or not, read with some junk around. A labelled
#: number ("Company Reg No.: 75495-W") is printed anywhere in the header, often after the address.
_REGISTRATION_LINE = re.compile(r"[(\[{]?\s*\d[\d ]{3,}\d\s*-\s*[A-Z0-9]\s*[)\]}]?", re.IGNORECASE)
#: A name followed on its line by a registration number: "… SDN BHD (123456-X)".
_REGISTERED_AFTER = re.compile(r"[A-Za-z]{2}.*[\s(]\d{4,}\s*-\s*[A-Z0-9]\s*\)?\W{0,2}$")
_INITIALS = re.compile(r"^(?:[A-Z01]\.){2,}[A-Z01]?\.?$")


def _core(word: str) -> str:
    return word.upper().strip(".,;:")


def is_legal_form(word: str) -> bool:
    """A word that is a legal form as printed ("BHD.", "Sarl", "S/B")."""
    return _core(word) in LEGAL_FORMS or _core(word) in _FINAL_FORMS


def is_registration(text: str) -> bool:
    """``text`` is a bare company registration number ("(002107265-V)", "002693074-K"), with
    at most a speck or two read around it; the name is printed just above it."""
    core = text.strip(_JUNK + "€<>°")
    found = _REGISTRATION_LINE.match(core)
    rest = core[found.end():].strip() if found else ""
    return found is not None and len(rest) <= 3 and not any(c.isalpha() for c in rest)


def ends_with_registration(text: str) -> bool:
    """``text`` is a name followed by a company registration number ("SELASIH EKSLUSIF SDN BHD
    (624101-D)")."""
    return _REGISTERED_AFTER.search(text) is not None


def _legal_form(word: str) -> str:
    """The legal form ``word`` stands for when only confusable characters differ (at most two,
    and at least one character right), else ``word``."""
    core = _core(word)
    if core in LEGAL_FORMS:
        return word
    for form in LEGAL_FORMS:
        if len(core) != len(form):
            continue
        diffs = [(a, b) for a, b in zip(core, form, strict=True) if a != b]
        if len(diffs) <= min(2, len(form) - 1) and all(
            frozenset(d) in _CONFUSABLE for d in diffs
        ):
            return form
    return word


def _beside_form(words: list[str], i: int) -> bool:
    """A word next to a legal form; a word anywhere that is not letters ("5/8") is also tried,
    but a real word ("SON") is restored only at the end of the name or beside a form."""
    return any(0 <= j < len(words) and is_legal_form(words[j]) for j in (i - 1, i + 1))


def _pair(words: list[str]) -> list[str]:
    """"SDN" is always followed by "BHD": restore either half from the other, both when each
    lost one letter, and a "BHD" lost after a final "SDN"."""
    out = list(words)
    for i in range(len(out) - 1):
        first, second = _core(out[i]), _core(out[i + 1])
        if first == "SDN" and second != "BHD" and 2 <= len(second) <= 4 and (
            second[:1] in "B83ER" or second.endswith("D")
        ):
            out[i + 1] = "BHD"
        elif second == "BHD" and first not in LEGAL_FORMS and re.fullmatch(
            r"S[A-Z0-9]{1,3}|[C5]DN", first
        ):
            out[i] = "SDN"
        elif first != "SDN" and second != "BHD" and re.fullmatch(r"S[A-Z0-9]N", first) \
                and re.fullmatch(r"[B83]H[D0O]", second):
            out[i], out[i + 1] = "SDN", "BHD"  # both halves damaged ("SBN 3HD")
    if out and _core(out[-1]) == "SDN":
        out.append("BHD")
    return out


def _tail_cut(words: list[str]) -> list[str]:
    """Drop what follows the last final legal form when it is not words of a name (a number,
    a parenthesis, specks, lower-case words after a name in capitals)."""
    last = max((i for i, w in enumerate(words) if _core(w) in _FINAL_FORMS), default=-1)
    if last < 0 or last == len(words) - 1:
        return words
    tail = words[last + 1:]
    wordy = any(sum(c.isalpha() for c in w) >= 3 for w in tail)
    # A name in capitals does not go on in lower case: another line's words read into it.
    other_case = all(w.isupper() for w in words[: last + 1] if any(c.isalpha() for c in w)) \
        and any(c.islower() for w in tail for c in w)
    if tail[0][:1] in "([{" or any(c.isdigit() for w in tail for c in w) or not wordy \
            or other_case:
        return words[: last + 1]
    return words


#: Letters of any kind a trade word may have misread: one from 7 letters on, two from 8 on.
_ANY_MISREAD = ((7, 1), (8, 2))


def _trade_word(word: str) -> str:
    """The trade word ``word`` stands for: same length, differing only by confusable characters,
    or by one character of any kind in a word of 7 letters or more ("BAKERTES" → "BAKERIES"),
    two in a word of 8 or more ("HARUWARL" → "HARDWARE")."""
    core = word.upper().strip(".,")
    if core in TRADE_WORDS or len(core) < 4 or not core.isalpha():
        return word
    allowed = max((n for size, n in _ANY_MISREAD if len(core) >= size), default=0)
    for trade in TRADE_WORDS:
        if len(trade) != len(core):
            continue
        diffs = [frozenset((a, b)) for a, b in zip(core, trade, strict=True) if a != b]
        anywhere = len(diffs) <= allowed
        confusable = all(d in _CONFUSABLE for d in diffs) and len(diffs) * 4 <= len(core)
        if diffs and (anywhere or confusable):
            fixed = trade if word.isupper() else trade.title() if word.istitle() else trade.lower()
            return word.replace(word.strip(".,"), fixed)
    return word


#: A word of letters with a 1 or a 0 (one or two) read for an I or an O ("1DEA", "B00KS",
#: "0f"): not a number, a code nor a word with other digits ("7ELEVEN", "K2").
_DIGIT_FOR_LETTER = re.compile(r"(?=(?:[^\W\d_]*[10]){1,2}[^\W\d_]*$)\w+")
#: A capital I read for an l after lower-case letters ("WorId" → "World").
_I_FOR_L = re.compile(r"(?<=[a-z]{2})I(?=[a-z]|$)")


def _initials(word: str) -> str:
    """Letters read as digits: in dotted initials ("D.1.Y."), in a word otherwise of letters
    ("URBAN 1DEA": three letters at least, or lower case ones: "R10" and "1A" are codes), and
    an l read as a capital I inside a lower-case word."""
    if _INITIALS.match(word) and any(c.isalpha() for c in word):
        return word.replace("1", "I").replace("0", "O")
    core = word.strip(".,")
    letters = sum(c.isalpha() for c in core)
    lower = any(c.islower() for c in core)
    if core and _DIGIT_FOR_LETTER.fullmatch(core) and (letters >= 3 or (letters and lower)):
        fixed = core.replace("1", "i" if lower else "I").replace("0", "o" if lower else "O")
        return word.replace(core, fixed)
    return _I_FOR_L.sub("l", word)


def _bracket(word: str) -> str:
    """A parenthesis read as C: "CM)" → "(M)"."""
    if ")" in word and "(" not in word and re.fullmatch(r"[Cc][A-Z]{1,3}\)", word):
        return "(" + word[1:]
    return word


#: Short words that may open a name ("au BON ACCUEIL", "à LA GARE").
_SHORT_WORDS = frozenset(("a", "à", "y", "au", "le", "la", "l'", "du", "de", "d'", "en", "et",
                          "of", "my", "on", "at", "an", "by"))


#: Marks read from specks on their own.
_MARKS = frozenset((".", ",", "|", "'", "`", ":", ";"))


def _specks(words: list[str]) -> list[str]:
    """Drop specks read before the name: a mark ("+", "ù"), a letter in parentheses ("(P)"), a
    character followed by a mark ("I . Yam Fresh"), or one or two lower-case letters before a
    name in capitals ("ae MAISON PERRET")."""
    while len(words) >= 2 and (
        (len(words[0]) == 1 and not words[0].isalnum())
        or re.fullmatch(r"\([A-Za-z]\)", words[0]) is not None
        or (len(words[0]) == 1 and words[1] in _MARKS)
        or (len(words[0]) <= 2 and any(c.islower() for c in words[0])
            and words[0].lower() not in _SHORT_WORDS
            and all(w.isupper() for w in words[1:] if any(c.isalpha() for c in w)))
    ):
        words = words[1:]
    return words


def clean_name(text: str) -> str:
    """Trim junk and a trailing registration number; restore misread legal forms."""
    text = text.strip(_JUNK)
    text = _REGISTRATION.sub("", text).strip(_JUNK) if len(text) > 12 else text
    text = re.sub(r"\b(SDN\.)(?=[A-Z])", r"\1 ", text, flags=re.IGNORECASE)  # "Sdn.Bhd"
    text = re.sub(r"\b(SDN)(?=BH\w\b)", r"\1 ", text, flags=re.IGNORECASE)  # "SDNBHU"
    text = re.sub(r"(?<=[A-Za-z]{2})\)(?=[A-Za-z])", ") ", text)  # "(SETIA ALAM)SDN BHD"
    words = _specks(text.split())
    words = [_trade_word(_initials(_bracket(w))) for w in words]
    words = [_legal_form(w) if i >= len(words) - 2 or _beside_form(words, i)
             or not w.strip(".,").isalpha() else w for i, w in enumerate(words)]
    if len(words) >= 3 and len(words[-1]) <= 2 and is_legal_form(words[-2]):
        words = words[:-1]  # a stray mark read after the legal form ("… SDN BHD D", "SDN ii.")
    words = _pair(words)
    if len(words) >= 2 and _SLASH_FORM.fullmatch(_core(words[-1])):
        words[-1] = "S/B"
    return " ".join(_tail_cut(words)).strip(_JUNK)
