"""Normalisation and Swedish order."""

from __future__ import annotations

import unicodedata
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from chefintro.text import (
    clean_text,
    control_problem,
    email_key,
    name_key,
    printable,
    question_key,
    swedish_date,
    swedish_key,
    swedish_number,
    swedish_percent,
    swedish_sorted,
)


def test_swedish_order_puts_a_ring_a_umlaut_o_umlaut_after_z() -> None:
    names = ["Öberg", "Åberg", "Zetterberg", "Äng", "Andersson", "Östlund"]
    assert swedish_sorted(names) == ["Andersson", "Zetterberg", "Åberg", "Äng", "Öberg", "Östlund"]


def test_e_acute_sorts_with_e() -> None:
    assert swedish_sorted(["Ezra", "Élise", "Eva", "Fia"]) == ["Élise", "Eva", "Ezra", "Fia"]


def test_order_ignores_case_but_is_total() -> None:
    assert swedish_sorted(["örjan", "Åsa", "olle"]) == ["olle", "Åsa", "örjan"]
    assert swedish_key("Eva") != swedish_key("eva")


def test_nfd_and_nfc_sort_the_same() -> None:
    nfd = unicodedata.normalize("NFD", "Öberg")
    assert swedish_key(nfd) == swedish_key("Öberg")


def test_clean_text_normalises_and_trims() -> None:
    assert clean_text("  Åsa \t  Öberg ") == "Åsa Öberg"
    assert clean_text(unicodedata.normalize("NFD", "Åsa")) == "Åsa"
    assert clean_text("   ") is None
    assert clean_text(None) is None


def test_email_key_is_trimmed_nfc_casefolded() -> None:
    assert email_key("  ÅSA.Oberg@CSN.se ") == "åsa.oberg@csn.se"
    assert email_key(unicodedata.normalize("NFD", "Åsa@x.se")) == email_key("åsa@X.SE")


@given(st.lists(st.text(alphabet="abcåäöeéz ABCÅÄÖÉZ", max_size=8), max_size=12))
def test_swedish_sort_is_deterministic_under_permutation(values: list[str]) -> None:
    assert swedish_sorted(values) == swedish_sorted(list(reversed(values)))


def test_swedish_key_of_nothing_is_empty() -> None:
    # A person without a name (or a blank cell) sorts first, and as nothing else.
    assert swedish_key(None) == ("", "")
    assert swedish_key("") == ("", "")


def test_swedish_key_keeps_the_letters_as_they_are() -> None:
    assert swedish_key("Ab Cé") == ("ab ce", "Ab Cé")
    assert swedish_key("Ørsted Æbel Müller Weiß") == (
        "}rsted |bel myller weiss",
        "Ørsted Æbel Müller Weiß",
    )


def test_swedish_dates_name_each_month() -> None:
    months = [swedish_date(date(2027, m, 7)) for m in (1, 3, 5, 12)]
    assert months == ["7 januari 2027", "7 mars 2027", "7 maj 2027", "7 december 2027"]


def test_question_keys_match_retyped_headers_and_blank_matches_nothing() -> None:
    assert question_key("  Jag  tar mig ”tid” att reflektera? ") == question_key(
        'jag tar mig "tid" att reflektera'
    )
    assert question_key("Övrigt:*") == "övrigt"
    assert question_key(None) == question_key("   ") == ""


def test_name_keys_ignore_case_accents_and_spaces() -> None:
    assert name_key("  Åsa   ÖBERG ") == "asa oberg"
    assert name_key("Élise\u00a0Nordén") == name_key("elise norden") == "elise norden"


def test_printable_drops_what_a_terminal_would_act_on_and_keeps_the_rest() -> None:
    assert printable("Åsa\x1b[2J Öberg\u202e") == "Åsa[2J Öberg"
    assert printable("Anna\tEk") == "Anna\tEk"
    assert printable("Ängel") == "Ängel"


def test_a_control_character_is_named_with_its_code_point() -> None:
    assert control_problem("Anna\u202eEk") == (
        "the text contains an invisible control character (U+202E); retype it without it"
    )
    assert control_problem("Anna Ek\tSundsvall") is None


def test_a_share_is_written_with_one_decimal_comma_a_true_minus_and_a_hard_space() -> None:
    """As the steering group's summary and the stability report write it: 0,6 %."""
    assert swedish_percent(990, 150_451) == "0,7\u00a0%"
    assert swedish_percent(1, 3) == "33,3\u00a0%"
    assert swedish_percent(3, 3) == "100,0\u00a0%"
    assert swedish_percent(-1, 8) == "−12,5\u00a0%"
    assert swedish_percent(5, 0) == "0,0\u00a0%"  # nothing to share: no division by zero


def test_a_number_gets_hard_spaces_between_thousands_and_a_true_minus() -> None:
    assert swedish_number(161_651) == "161\u00a0651"
    assert swedish_number(-1_234_567) == "−1\u00a0234\u00a0567"
    assert swedish_number(999) == "999"
    assert swedish_number(0) == "0"  # no minus on nothing
    assert swedish_number(-1) == "−1"
