"""What a participant may type: names are names, institutions are institution names, e-mail
domains are written in one script.

Everything a participant types reaches mail, the admin or the CSV export, so one set of rules
guards it: the public registration form, the manage-details form, the admin's participant form
and the model fields themselves all use the validators below.

- No control, bidirectional-override/isolate or zero-width characters: they hide or reorder
  text (a right-to-left override turns "moc.elpmaxe" into what looks like "example.com").
- No web addresses: a name holding "www.example.com" would be mailed, as a link, to whoever's
  address was typed into the form.
- Names: letters of any script (with their combining marks), spaces, hyphens, apostrophes and
  dots. Institutions may also have digits, quotes, commas, parentheses, slashes, "&" and "№".
- E-mail domains: each label in one script, so "аpple.com" (Cyrillic "а") is refused, while
  "ģimnāzija.lv" or "пример.рф" are fine.

Validators check the NFC form of the text; the forms store that form.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

# Invisible characters that are not "control" (Cc/Cf) characters: Hangul fillers and the braille
# blank look like nothing at all.
INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Zero-width, bidirectional and other format characters are Unicode category Cf (U+200B-200F,
# U+202A-202E, U+2060, U+2066-2069, U+FEFF, ...); Cc are the C0/C1 controls; Zl/Zp are line and
# paragraph separators; Co/Cs/Cn private, surrogate and unassigned code points.
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})

NAME_PUNCTUATION = frozenset(" -'.\u2019\u02bc\u2010\u2011")  # space hyphen ' . ’ ʼ ‐ ‑
INSTITUTION_PUNCTUATION = NAME_PUNCTUATION | frozenset(
    ',"()/&+\u2013\u2014\u201c\u201d\u201e\u00ab\u00bb\u2116'  # – — “ ” „ « » №
)

# "http://", "mailto:", "www." anywhere; or a dot followed at once by a letter ("x.com",
# "пример.рф", "a.b"): a mail program makes such text a link. Initials and numbers keep a space
# or a digit after the dot ("A. Pumpura", "Nr.5", "9. vidusskola").
SCHEME = re.compile(r"[a-z][a-z0-9+.-]*://|\b(mailto|javascript|data|file|tel):", re.IGNORECASE)
WWW = re.compile(r"www\d*\.", re.IGNORECASE)
DOT_THEN_LETTER = re.compile(r"\.[^\W\d_]")


def _hidden_characters(value):
    return [
        char
        for char in value
        if unicodedata.category(char) in HIDDEN_CATEGORIES or char in INVISIBLE_LETTERS
    ]


def refuse_hidden_characters(value):
    """Refuse control, bidirectional and zero-width characters (they hide or reorder text)."""
    hidden = _hidden_characters(value)
    if hidden:
        raise ValidationError(
            _(
                "Remove the invisible or control characters (%(codes)s): they are often pasted "
                "by accident. Please type the text again."
            ),
            code="hidden_characters",
            params={"codes": ", ".join(sorted({f"U+{ord(char):04X}" for char in hidden}))},
        )


def refuse_web_addresses(value):
    if SCHEME.search(value) or WWW.search(value) or DOT_THEN_LETTER.search(value):
        raise ValidationError(
            _(
                "Web addresses are not allowed here. If this is an initial or an abbreviation, "
                "put a space after the dot (e.g. “A. Pumpura”)."
            ),
            code="web_address",
        )


def _is_letter_or_mark(char):
    return unicodedata.category(char)[0] in "LM"


def validate_person_name(value):
    """A first or last name: letters of any script, spaces, hyphens, apostrophes, dots."""
    value = unicodedata.normalize("NFC", str(value))
    refuse_hidden_characters(value)
    refuse_web_addresses(value)
    if any(not (_is_letter_or_mark(c) or c in NAME_PUNCTUATION) for c in value) or not any(
        unicodedata.category(c)[0] == "L" for c in value
    ):
        raise ValidationError(
            _("Use only letters, spaces, hyphens (-), apostrophes (') and dots."),
            code="invalid_name",
        )


def validate_institution_name(value):
    """An institution: a name's characters plus digits, quotes, commas, parentheses and the like."""
    value = unicodedata.normalize("NFC", str(value))
    refuse_hidden_characters(value)
    refuse_web_addresses(value)
    allowed = INSTITUTION_PUNCTUATION
    if any(
        not (_is_letter_or_mark(c) or unicodedata.category(c) == "Nd" or c in allowed)
        for c in value
    ) or not any(unicodedata.category(c)[0] == "L" for c in value):
        raise ValidationError(
            _(
                "Use letters, digits, spaces and the usual punctuation of a name "
                "(- ' . , \" ( ) / & №); no other signs."
            ),
            code="invalid_institution",
        )


validate_phone = RegexValidator(
    r"^\+?[0-9][0-9 ()-]{5,30}\Z",
    _("Enter a phone number of digits, e.g. +371 20000000."),
    code="invalid_phone",
)


# --- e-mail domains ---------------------------------------------------------------------------

# Scripts that are written together in one word (UTS #39 "highly restrictive" combinations).
SCRIPT_COMBINATIONS = (
    frozenset({"LATIN", "CJK", "HIRAGANA", "KATAKANA"}),
    frozenset({"LATIN", "CJK", "BOPOMOFO"}),
    frozenset({"LATIN", "CJK", "HANGUL"}),
)
# Unicode character names that do not start with their script's name.
SCRIPT_ALIASES = {"IDEOGRAPHIC": "CJK", "HALFWIDTH": "HALFWIDTH", "FULLWIDTH": "FULLWIDTH"}


def _script(char):
    """The script of a letter, from its Unicode name ("CYRILLIC SMALL LETTER A" -> CYRILLIC)."""
    word = unicodedata.name(char, "UNKNOWN").split(" ", 1)[0].split("-", 1)[0]
    return SCRIPT_ALIASES.get(word, word)


def label_scripts(label):
    return {_script(char) for char in label if unicodedata.category(char)[0] == "L"}


def _mixes_scripts(label):
    scripts = label_scripts(label)
    return len(scripts) > 1 and not any(scripts <= combo for combo in SCRIPT_COMBINATIONS)


def validate_email_domain(value):
    """Refuse hidden characters anywhere in the address and a domain label mixing scripts."""
    value = unicodedata.normalize("NFC", str(value))
    refuse_hidden_characters(value)
    domain = value.rpartition("@")[2]
    if any(_mixes_scripts(label) for label in domain.split(".")):
        raise ValidationError(
            _(
                "The address's domain mixes letters of different alphabets (e.g. a Cyrillic "
                "“а” among Latin letters). Please type the address again."
            ),
            code="mixed_scripts",
        )


def email_ascii(email):
    """The address with its domain in ASCII (punycode), as mail servers see it."""
    local, at, domain = (email or "").rpartition("@")
    if not at:
        return email
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return email
    return f"{local}@{ascii_domain}"
