"""The password rule (ASVS 5.0 V6.2): long enough, not too long, not common, not the person's own name.

`password_problem` is the one place that decides whether a password a person chose may be set;
it answers with a `PasswordProblem` code, which the screens turn into a sentence
(`hk/refusals.py: password_text`). It is applied wherever a person sets a password: `flask hk
create-user`, `flask hk seed-demo`, the office's new-worker form and the change-password page.

- **Length** counts characters (Unicode code points after NFC, so a Chinese character or an
  accented letter is one), at least 8 and at most 128: any character is allowed, spaces and
  Chinese included; the maximum only bounds the hashing work. No composition rules ("a digit, a
  capital…"): they make passwords harder to remember, not to guess (ASVS V6.2.5).
- **Common passwords** come from the `zxcvbn` package on PyPI (MIT licence, 0.4 MB wheel): its
  `passwords` frequency list, the 30,000 passwords most often found in published leaks, most
  frequent first (11,611 of them have 8 characters or more; ASVS V6.2.4 asks for at least the top
  3,000 that fit the policy). We use the list, not zxcvbn's score: a refusal must be explainable in
  one sentence to a cleaner ("this is a common password"), where a score says only "too guessable";
  the score's estimates are tuned to English words and say little about pinyin or Chinese
  passphrases; and `zxcvbn()` writes the user's words into a module-wide dictionary on every call,
  which threads of one server would share. Importing the list costs about 0.1 s and 12 MB once per
  process, on the first check.
  A password is common when, in lower case (NFKC, so full-width letters typed with a Chinese input
  method count as the ASCII ones), any of these is on the list: the password; the password without
  spaces; the same with up to 3 characters cut from its ends ("li123456789x" → "123456789") or
  with every digit and sign around it cut ("Password1!" → "password", "dragon2024" → "dragon"),
  when at least 4 characters are left; and those with the usual look-alikes read back ("p@55w0rd"
  → "password"). A long passphrase survives this; a common password with a little added does not.
- **Simple patterns** the list does not hold, common in China above all: one character or a short
  group repeated ("88888888", "12121212", "密码密码密码密码") and runs ("87654321", "abcdefgh").
- **The person's own words**: the username, the display name and the phone number (and the
  company's name, which the screens add), compared in lower case without spaces. A word shorter
  than 3 characters is not checked, so a username like "li" does not forbid every password holding
  "li"; for a word with Chinese characters 2 are enough, since two characters are often a whole name.
"""

from __future__ import annotations

import secrets
import string
import unicodedata
from collections.abc import Callable, Iterable
from enum import StrEnum
from functools import cache
from itertools import pairwise

MIN_LENGTH = 8
MAX_LENGTH = 128


class PasswordProblem(StrEnum):
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    PERSONAL = "personal"  # holds the username, the name, the phone number or the company's name
    COMMON = "common"
    PATTERN = "pattern"


_AROUND = string.digits + string.punctuation + string.whitespace + "。，、！？；：·…—（）《》“”‘’"
_LOOK_ALIKES = str.maketrans("@401!3$57", "aaoiiesst")


@cache
def common_passwords() -> frozenset[str]:
    """zxcvbn's list of the 30,000 most common passwords from leaks, in lower case."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _compact(text: str) -> str:
    return "".join(_fold(text).split())


def length(password: str) -> int:
    """The length the rule counts: characters (code points after NFC), not bytes."""
    return len(unicodedata.normalize("NFC", password))


def _variants(password: str) -> set[str]:
    """What is looked up in the list: the password, without spaces, trimmed of up to 3 characters
    at either end or of every digit and sign around it (4 or more characters left), and the
    trimmed forms with look-alikes read back."""
    folded = _fold(password)
    compact = "".join(folded.split())
    variants = {folded, compact}
    for base in (compact, compact.strip(_AROUND)):
        for cut in range(4):
            for front in range(cut + 1):
                trimmed = base[front : len(base) - (cut - front)]
                if len(trimmed) >= 4:
                    variants |= {trimmed, trimmed.translate(_LOOK_ALIKES)}
    return variants


def _is_pattern(text: str) -> bool:
    """One character or a group of up to 4 repeated, or a run up or down ("1234…", "dcba…")."""
    if len(text) < 4:
        return False
    for period in range(1, min(4, len(text) // 2) + 1):
        if all(text[i] == text[i - period] for i in range(period, len(text))):
            return True
    steps = {ord(b) - ord(a) for a, b in pairwise(text)}
    return steps in ({1}, {-1})


def _checked_words(words: Iterable[str | None]) -> list[str]:
    checked = []
    for word in words:
        word = _compact(word or "")
        if len(word) >= 3 or (len(word) == 2 and not word.isascii()):
            checked.append(word)
    return checked


def password_problem(password: str, personal: Iterable[str | None] = ()) -> PasswordProblem | None:
    """Why this password may not be set, or None when it may; `personal` are the person's own words
    (username, display name, phone) and the company's name, any of them None or empty."""
    size = length(password)
    if size < MIN_LENGTH:
        return PasswordProblem.TOO_SHORT
    if size > MAX_LENGTH:
        return PasswordProblem.TOO_LONG
    compact = _compact(password)
    looked = compact.translate(_LOOK_ALIKES)
    if any(word in compact or word in looked for word in _checked_words(personal)):
        return PasswordProblem.PERSONAL
    if not common_passwords().isdisjoint(_variants(password)):
        return PasswordProblem.COMMON
    if any(_is_pattern(v) for v in {_fold(password), compact, compact.strip(_AROUND)}):
        return PasswordProblem.PATTERN
    return None


def generated_password(
    personal: Iterable[str | None] = (), draw: Callable[[], str] = lambda: secrets.token_urlsafe(9)
) -> str:
    """A random password of 12 characters that the rule takes: about 1 drawn in 100,000 would not
    (a common word or a run left once the digits around it are trimmed: "9357CHeNgbA5")."""
    words = list(personal)
    while True:
        password = draw()
        if password_problem(password, words) is None:
            return password
