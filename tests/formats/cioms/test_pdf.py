"""The CIOMS I PDF, read back with pypdf: labels, values, check marks, continuation pages, footers."""

import io
import re

import pypdf
import pytest

from opencro.formats.cioms.model import (
    BOX_LABELS,
    Age,
    CiomsForm,
    ConcomitantAndHistory,
    ConcomitantDrug,
    ManufacturerInformation,
    PartialDate,
    Reaction,
    ReactionInformation,
    Seriousness,
    SuspectDrug,
)
from opencro.formats.cioms.pdf import FORM_NAME, write_cioms_i


def _form(**changes) -> CiomsForm:
    reaction = ReactionInformation(
        patient_initials="J.D.",
        country="Österreich",
        birth_date=PartialDate(1970, 3),
        age=Age(56),
        sex="F",
        weight_kg=72.5,
        onset=PartialDate(2026, 3, 5),
        reactions=[Reaction("Hepatitis", PartialDate(2026, 3, 5), "recovering"), Reaction("Jaundice")],
        description="Admitted with jaundice two months after starting Drugix.",
        lab_data="ALT 420 U/L on 06-MAR-2026.",
        seriousness=Seriousness(hospitalisation=True, other_medically_important=True),
    )
    drugs = [
        SuspectDrug(
            "Drugix",
            generic_name="drugimab",
            daily_dose="100 mg",
            route="oral",
            indication="Rheumatoid arthritis",
            therapy_from=PartialDate(2026, 1),
            therapy_duration="2 months",
            abated_after_stopping="yes",
            reappeared_after_reintroduction="na",
        )
    ]
    concomitant = ConcomitantAndHistory(
        drugs=[ConcomitantDrug("Paracetamol", PartialDate(2025), PartialDate(2026, 2, 28))],
        history="Allergy to penicillin. Last menstrual period: FEB 2026.",
    )
    manufacturer = ManufacturerInformation(
        name_and_address="ACME Pharma AG\nRheinweg 1\n4058 Basel, Switzerland",
        control_number="ACME-2026-001",
        date_received=PartialDate(2026, 3, 9),
        report_sources={"study"},
        report_date=PartialDate(2026, 3, 12),
        report_type="initial",
    )
    values = {"reaction": reaction, "suspect_drugs": drugs, "concomitant": concomitant, "manufacturer": manufacturer}
    values.update(changes)
    return CiomsForm(**values)


def _render(form: CiomsForm, **options) -> bytes:
    out = io.BytesIO()
    write_cioms_i(form, out, **options)
    return out.getvalue()


def _pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_every_box_label_and_value_lands_on_page_one():
    (page,) = _pages(_render(_form()))
    flat = _flat(page)
    for key, label in BOX_LABELS.items():
        if key == "1-13":  # the part heading's name in errors, not a box of its own
            continue
        # Labels wrap inside narrow boxes; each word of the label is printed in order.
        title = f"{key}. {label}" if label else key.upper()
        assert re.search(r"\s+".join(map(re.escape, title.split())), page), title
    for part in ("I. REACTION INFORMATION", "II. SUSPECT DRUG(S) INFORMATION", "III. CONCOMITANT DRUG(S) AND HISTORY"):
        assert part in page
    for value in (
        "J.D.",
        "Österreich",
        "72.5 kg",
        "1. Hepatitis (onset 05-MAR-2026; recovering)",
        "2. Jaundice",
        "Admitted with jaundice two months after starting Drugix.",
        "Relevant tests/laboratory data: ALT 420 U/L on 06-MAR-2026.",
        "Drugix (drugimab)",
        "100 mg",
        "oral",
        "Rheumatoid arthritis",
        "from ??-JAN-2026",
        "2 months",
        "Paracetamol (??-???-2025 to 28-FEB-2026)",
        "Allergy to penicillin. Last menstrual period: FEB 2026.",
        "ACME Pharma AG Rheinweg 1 4058 Basel, Switzerland",
        "ACME-2026-001",
        "09-MAR-2026",
        "12-MAR-2026",
    ):
        assert value in flat, value
    # Box 2a holds 56; box 3, F: the value follows its label.
    assert re.search(r"AGE\s+Years\s+56\b", page)
    assert re.search(r"3\. SEX\s+F\b", page)
    assert "continued on page" not in page


def test_partial_dates_print_as_given_in_the_day_month_year_cells():
    (page,) = _pages(_render(_form()))
    # Date of birth MAR 1970: the day is unknown and shown as such, never completed.
    assert re.search(r"2\. DATE OF BIRTH\s+Day\s+\?\?\s+Month\s+MAR\s+Year\s+1970", page)
    assert re.search(r"4-6\. REACTION ONSET\s+Day\s+05\s+Month\s+MAR\s+Year\s+2026", page)
    assert "01-MAR-1970" not in page and "01-JAN-2026" not in page


def test_checked_boxes_carry_an_x_and_the_others_do_not():
    (page,) = _pages(_render(_form()))
    # Each check box is drawn, then its X (if checked), then its label, so "X" precedes a checked label.
    checked = [
        r"INVOLVED OR PROLONGED\s+INPATIENT",
        r"OTHER MEDICALLY\s+IMPORTANT",
        r"STUDY",
        r"INITIAL",
    ]
    unchecked = [r"PATIENT DIED", r"INVOLVED PERSISTENT", r"LIFE THREATENING", r"LITERATURE", r"HEALTH PROFESSIONAL"]
    unchecked.append(r"FOLLOW-UP")
    for label in checked:
        assert re.search(r"\bX\s+" + label, page), label
    for label in unchecked:
        assert not re.search(r"\bX\s+" + label, page), label
    # Box 20 abated: YES; box 21 reintroduction: NA.
    assert re.search(r"STOPPING\s+DRUG\?\s+X\s+YES\s+NO\s+NA", page)
    assert re.search(r"AFTER\s+REINTRODUCTION\?\s+YES\s+NO\s+X\s+NA", page)
    # Six marks in all: boxes 8-12 (two), 20, 21, 24d and 25a; an X stands on a line of its own.
    assert len(re.findall(r"(?m)^\s*X\s*$", page)) == 6
    # The sponsor's addition is marked as not on the 1990 form.
    assert "Not on the CIOMS I (1990) form; added by the" in page


def test_footer_names_the_form_the_control_number_and_the_page():
    (page,) = _pages(_render(_form()))
    assert FORM_NAME in page
    assert "MFR control no. ACME-2026-001" in page
    assert "Page 1 of 1" in page


def test_a_long_description_continues_completely_on_the_next_page():
    words = [f"w{i:04d}" for i in range(1500)]
    reaction = ReactionInformation(description=" ".join(words), lab_data="ALT 420 U/L")
    pages = _pages(_render(_form(reaction=reaction)))
    assert len(pages) == 2
    assert "continued on page 2" in pages[0]
    assert "Box 7+13. DESCRIBE REACTION(S) (including relevant tests/lab data) (continued from page 1)" in pages[1]
    found = re.findall(r"w\d{4}", "\n".join(pages))
    assert found == words  # every word once, in order, nothing dropped
    first_page_words = re.findall(r"w\d{4}", pages[0])
    assert 0 < len(first_page_words) < len(words)
    assert "Relevant tests/laboratory data:\nALT 420 U/L" in pages[1]
    assert "Page 1 of 2" in pages[0] and "Page 2 of 2" in pages[1]
    assert "SUSPECT ADVERSE REACTION REPORT - CONTINUATION" in pages[1]


def _between(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end)]


def test_each_overflowing_box_points_to_the_page_its_continuation_starts_on():
    concomitant = ConcomitantAndHistory(
        drugs=[ConcomitantDrug(f"Con{i:03d}", PartialDate(2025, 1 + i % 12)) for i in range(150)],
        history=" ".join(f"h{i:04d}" for i in range(2500)),
    )
    manufacturer = ManufacturerInformation(name_and_address="\n".join(f"Line {i}" for i in range(12)))
    pages = _pages(_render(_form(concomitant=concomitant, manufacturer=manufacturer)))
    start = {}
    for number, text in enumerate(pages[1:], start=2):
        for key in ("22", "23", "24a"):
            if f"Box {key}. " in text:
                start.setdefault(key, number)
    assert set(start) == {"22", "23", "24a"}
    assert start["22"] <= start["23"] <= start["24a"]
    page_one = pages[0]
    assert f"continued on page {start['22']}" in _between(page_one, "22. CONCOMITANT", "23. OTHER")
    assert f"continued on page {start['23']}" in _between(page_one, "23. OTHER", "24b. MFR")
    assert f"continued on page {start['24a']}" in _between(page_one, "24a. NAME", "24c. DATE")
    everything = "\n".join(pages)
    assert re.findall(r"Con\d{3}", everything) == [f"Con{i:03d}" for i in range(150)]
    assert re.findall(r"h\d{4}", everything) == [f"h{i:04d}" for i in range(2500)]
    assert re.findall(r"Line \d+", everything) == [f"Line {i}" for i in range(12)]
    total = len(pages)
    assert total >= 4
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in text


def test_several_suspect_drugs_are_numbered_and_no_answer_is_lost():
    # 12 drugs: box 20 holds fewer rows than that, the remaining answers continue as text.
    drugs = [
        SuspectDrug(f"Drug{i}", daily_dose=f"{i} mg", abated_after_stopping="no" if i % 3 else "yes")
        for i in range(1, 13)
    ]
    pages = _pages(_render(_form(suspect_drugs=drugs)))
    page_one = _flat(pages[0])
    assert "#1 Drug1 #2 Drug2" in page_one
    assert "#1 1 mg" in page_one
    assert re.findall(r"#\d+ \d+ mg", "\n".join(pages)) == [f"#{i} {i} mg" for i in range(1, 13)]
    box_20 = _between(pages[0], "20. DID REACTION", "21. DID REACTION")
    shown = re.findall(r"#(\d+)", box_20)
    assert shown == [str(i) for i in range(1, len(shown) + 1)] and 1 < len(shown) < 12
    note = re.search(r"continued on\s+page\s+(\d+)", box_20)
    assert note
    continuation = pages[int(note.group(1)) - 1]
    assert "Box 20. DID REACTION ABATE AFTER STOPPING DRUG? (continued from page 1)" in continuation
    section = continuation.split("Box 20. ", 1)[1].split("Box 21. ", 1)[0]
    rows = re.findall(r"#(\d+) Drug\d+: (\w+)", section)
    # Drugs 3, 6, 9 and 12 abated (i % 3 == 0 -> "yes"); each drug not shown in the box is listed once.
    assert rows == [(str(i), "NO" if i % 3 else "YES") for i in range(len(shown) + 1, 13)]
    # Box 21 was not answered for any drug: its rows say so rather than leaving them out.
    assert re.findall(r"#(\d+) Drug\d+: not answered", "\n".join(pages))
    everything = "\n".join(pages)
    names = re.findall(r"#(\d+) Drug\d+\n", _between(everything, "14. SUSPECT", "15. DAILY"))
    names += re.findall(r"#(\d+) Drug\d+\n", everything.split("Box 14. ", 1)[1].split("Box ", 1)[0])
    assert names == [str(i) for i in range(1, 13)]


def test_accented_greek_and_japanese_text_is_printed():
    reaction = ReactionInformation(
        patient_initials="É.Ø.", country="日本", description="Ικτερός; 急性肝炎 (acute hepatitis)"
    )
    (page,) = _pages(_render(_form(reaction=reaction)))
    for text in ("É.Ø.", "日本", "Ικτερός", "急性肝炎", "(acute hepatitis)"):
        assert text in page, text


def test_long_japanese_text_without_spaces_wraps_and_continues():
    text = "".join(f"急性肝炎{i:04d}" for i in range(600))
    pages = _pages(_render(_form(reaction=ReactionInformation(description=text))))
    assert len(pages) == 2
    in_box = _between(pages[0], "tests/lab data)", "continued on page 2")
    continued = _between(pages[1], "(continued from page 1)", FORM_NAME).removeprefix("(continued from page 1)")
    joined = re.sub(r"\s+", "", in_box.removeprefix("tests/lab data)") + continued)
    assert joined == text  # lines break between any two characters, and nothing is lost
    assert "\n" in continued.strip()  # wrapped into several lines


def test_markup_characters_and_control_characters_are_printed_literally():
    history = "<b>not bold</b> & <font name='x'>co</font>\x07"
    (page,) = _pages(_render(_form(concomitant=ConcomitantAndHistory(history=history))))
    assert "<b>not bold</b> & <font name='x'>co</font>\\x07" in page


def test_a_word_longer_than_the_box_is_broken_not_cut():
    word = "".join(chr(ord("a") + i % 26) for i in range(600))
    (page, *rest) = _pages(_render(_form(concomitant=ConcomitantAndHistory(history=word))))
    assert word in "".join(re.sub(r"\s+", "", p) for p in [page, *rest])


def test_blinded_note_is_on_every_page():
    reaction = ReactionInformation(description=" ".join(f"w{i:04d}" for i in range(1500)))
    note = "Blinded copy: treatment assignment withheld"
    pages = _pages(_render(_form(reaction=reaction), blinded_note=note))
    assert len(pages) == 2
    assert all(note in page for page in pages)


def test_a_blinded_note_that_leaves_no_room_is_refused():
    with pytest.raises(ValueError, match="blinded_note is too long"):
        _render(_form(), blinded_note="withheld " * 2000)


def test_page_sizes():
    def size(data: bytes) -> tuple[float, float]:
        box = pypdf.PdfReader(io.BytesIO(data)).pages[0].mediabox
        return round(float(box.width), 2), round(float(box.height), 2)

    # A4 is 210 x 297 mm = 595.28 x 841.89 pt; US Letter is 8.5 x 11 in = 612 x 792 pt.
    assert size(_render(_form())) == (595.28, 841.89)
    letter = _render(_form(), page_size="letter")
    assert size(letter) == (612.0, 792.0)
    assert "Admitted with jaundice" in _pages(letter)[0]
    with pytest.raises(ValueError, match="page_size"):
        _render(_form(), page_size="A5")


def test_an_empty_form_prints_its_boxes_on_one_page():
    pages = _pages(_render(CiomsForm(ReactionInformation())))
    assert len(pages) == 1
    assert "7+13. DESCRIBE REACTION(S)" in pages[0]
    assert "MFR control no. -" in pages[0]
    assert not re.search(r"\bX\s", pages[0])


def test_output_is_deterministic():
    form = _form(reaction=ReactionInformation(description="Ικτερός 急性肝炎 " * 200))
    first = _render(form)
    assert first == _render(form)
    info = pypdf.PdfReader(io.BytesIO(first)).metadata
    assert info["/CreationDate"] == info["/ModDate"] == "D:20000101000000+00'00'"
    assert info["/Subject"] == "MFR control no. ACME-2026-001"


def test_only_a_form_is_accepted():
    with pytest.raises(TypeError, match="CiomsForm"):
        write_cioms_i({"reaction": {}}, io.BytesIO())  # type: ignore[arg-type]
