"""`message intro` for a cohort of 3,000 pairs against a floor writing the same files (issue 32).

Builds, once per size and outside the timing, the store of bench_year.py with every adept
paired (``build_year(..., every_adept=True)``: n pairs, 1.5n people, five programme days),
then compares, as whole processes measured like bench_speed.py (the child's CPU seconds
from ``os.wait4`` and its ``ru_maxrss``, alternating rounds, medians, the spread of the
per-round ratios):

* ``chefintro message intro --out DIR`` (one .eml draft per active pair, into an empty
  folder) against a floor: a Typer + SQLModel process that reads every pair with one
  select (the two people, their agencies and the first programme day), fills the same
  text and HTML with f-strings, builds each message with the standard library's ``email``
  package (the same headers, ``policy.SMTP``) and writes it to the same file name, mode
  0600. Goal: CPU <= 1.5x, and peak memory that does not grow with the number of drafts
  (printed at each size; ``--pairs 1000,3000`` by default).

The two sides' files are compared once before the timing: the same names, and the same
bytes once the Date, Message-ID and MIME boundary (different in every run) are set aside.

Run with ``make bench`` or ``python benchmarks/bench_messages.py [--rounds 9]
[--pairs 1000,3000]``. Exits 0 either way (benchmarks report, they do not fail).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_speed import Run, chefintro, compile_chefintro, report, run  # noqa: E402
from bench_year import alternate, build_year  # noqa: E402

GOAL = 1.5

FLOOR = r'''
import os
import re
import sqlite3
import unicodedata
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from zoneinfo import ZoneInfo

import sqlmodel  # noqa: F401
import typer

app = typer.Typer(add_completion=False)
WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
          "september", "oktober", "november", "december")
AFTER_Z = str.maketrans({"å": "{", "ä": "|", "ö": "}"})
ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"})
PAIRS = """
SELECT a.name, a.email, a.title, a.unit, aa.name, m.name, m.email, m.title, m.unit, ma.name,
       day.title, day.starts_at, day.location
FROM pairing
JOIN participant pa ON pa.id = pairing.adept_id JOIN person a ON a.id = pa.person_id
JOIN agency aa ON aa.id = pa.agency_id
JOIN participant pm ON pm.id = pairing.mentor_id JOIN person m ON m.id = pm.person_id
JOIN agency ma ON ma.id = pm.agency_id
JOIN cohort ON cohort.id = pairing.cohort_id
LEFT JOIN (SELECT cohort_id, title, starts_at, location FROM programme_session
           WHERE cancelled = 0 ORDER BY starts_at, id LIMIT 1) day
       ON day.cohort_id = cohort.id
WHERE cohort.name = ? AND pairing.state = 'active' ORDER BY pairing.id
"""


def stem(text):
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    plain = re.sub(r"[^a-z0-9]+", "-", plain.encode("ascii", "ignore").decode()).strip("-")
    return plain[:60].rstrip("-")


def when(start):
    moment = datetime.fromisoformat(start)
    return (f"{WEEKDAYS[moment.weekday()]} {moment.day} {MONTHS[moment.month - 1]} "
            f"{moment.year} kl. {moment.hour:02d}.{moment.minute:02d}")


def text(cohort, a, m, day):
    lines = [f"Hej {a[0].split(' ')[0]} och {m[0].split(' ')[0]}!", "",
             f"Välkomna till chefsintroduktionsprogrammet {cohort}. Ni två är nu ett",
             f"mentorspar: {a[0]} är adept och {m[0]} är mentor.", ""]
    for role, p in (("Adept", a), ("Mentor", m)):
        lines += [role, f"  {p[0]}" + (f", {p[2]}" if p[2] else ""),
                  f"  {p[4]}" + (f", {p[3]}" if p[3] else ""), f"  {p[1]}", ""]
    lines += [f"{a[0].split(' ')[0]}, som adept bokar du ert första möte: hör av dig till",
              f"{m[0].split(' ')[0]} inom de närmaste veckorna och föreslå en tid. Ni bestämmer",
              "själva hur ofta och var ni ses; räkna med ungefär ett möte i månaden under året.",
              ""]
    if day[0]:
        place = f" på {day[2]}" if day[2] else ""
        lines += [f"Programmets första träff, {day[0]}, är {when(day[1])}{place}.",
                  "Där ses vi!", ""]
    lines += ["Hör gärna av er till mig om något är oklart.", "", "Vänliga hälsningar",
              "Programkoordinatorn", ""]
    return "\n".join(lines)


def cell(p):
    p = [v.translate(ESCAPE) if v else v for v in p]
    return ('  <td style="vertical-align: top; padding: 4px 16px 4px 0;">\n'
            f"    {p[0]}<br>\n" + (f"{p[2]}<br>" if p[2] else "") + f"    {p[4]}<br>\n"
            + (f"{p[3]}<br>" if p[3] else "")
            + f'    <a href="mailto:{p[1]}">{p[1]}</a>\n  </td>\n')


def html(cohort, a, m, day):
    e = lambda v: v.translate(ESCAPE)  # noqa: E731
    head = 'style="text-align: left; padding: 4px 16px 4px 0;"'
    page = ('<!DOCTYPE html>\n<html lang="sv">\n'
            f'<head><meta charset="utf-8"><title>Chefsintroduktionen {e(cohort)}</title></head>\n'
            '<body style="font-family: Calibri, Arial, sans-serif; font-size: 11pt;">\n'
            f"<p>Hej {e(a[0].split(' ')[0])} och {e(m[0].split(' ')[0])}!</p>\n"
            f"<p>Välkomna till chefsintroduktionsprogrammet {e(cohort)}. Ni två är nu ett\n"
            f"mentorspar: <strong>{e(a[0])}</strong> är adept och\n"
            f"<strong>{e(m[0])}</strong> är mentor.</p>\n"
            '<table style="border-collapse: collapse;">\n<tr>\n'
            f"  <th {head}>Adept</th>\n  <th {head}>Mentor</th>\n</tr>\n<tr>\n"
            + cell(a) + cell(m) + "</tr>\n</table>\n"
            f"<p>{e(a[0].split(' ')[0])}, som adept <strong>bokar du ert första möte</strong>: "
            "hör av dig\n"
            f"till {e(m[0].split(' ')[0])} inom de närmaste veckorna och föreslå en tid. "
            "Ni bestämmer\n"
            "själva hur ofta och var ni ses; räkna med ungefär ett möte i månaden under "
            "året.</p>\n")
    if day[0]:
        place = f" på {e(day[2])}" if day[2] else ""
        page += (f"<p>Programmets första träff, {e(day[0])}, är\n"
                 f"<strong>{when(day[1])}</strong>{place}.\nDär ses vi!</p>\n")
    return page + ("<p>Hör gärna av er till mig om något är oklart.</p>\n"
                   "<p>Vänliga hälsningar<br>\nProgramkoordinatorn</p>\n</body>\n</html>\n")


def address(name, email):
    local, _, domain = email.rpartition("@")
    return Address(display_name=name, username=local, domain=domain)


@app.command()
def main(db: str, cohort: str, out: str) -> None:
    rows = sqlite3.connect(db).execute(PAIRS, (cohort,)).fetchall()
    rows.sort(key=lambda r: (f"{r[0]} & {r[5]}".casefold().translate(AFTER_Z),
                             f"{r[0]} & {r[5]}"))
    os.makedirs(out, exist_ok=True)
    width = max(2, len(str(len(rows))))
    for number, row in enumerate(rows, start=1):
        a, m, day = row[0:5], row[5:10], row[10:13]
        message = EmailMessage(policy=policy.SMTP)
        message["To"] = (address(a[0], a[1]), address(m[0], m[1]))
        message["Subject"] = f"Chefsintroduktionen {cohort}: {a[0]} och mentorn {m[0]}"
        message["Date"] = format_datetime(datetime.now(ZoneInfo("Europe/Stockholm")))
        message["Message-ID"] = make_msgid(domain="chefintro.invalid")
        message["X-Unsent"] = "1"
        message.set_content(text(cohort, a, m, day), charset="utf-8", cte="quoted-printable")
        message.add_alternative(html(cohort, a, m, day), subtype="html", charset="utf-8",
                                cte="quoted-printable")
        message["Content-Language"] = "sv-SE"
        message["X-Chefintro-Draft"] = f"intro {stem(cohort)}"
        name = f"{number:0{width}d}-{stem(a[0] + '--' + m[0])}.eml"
        fd = os.open(os.path.join(out, name), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(message.as_bytes(policy=policy.SMTP))


app()
'''

# What differs between two runs of the same drafts: when, the message's id, the boundary.
_VARYING = re.compile(rb"^(Date|Message-ID): .*$|={15}\d+==", re.MULTILINE)


def same_drafts(ours: Path, floor: Path) -> int:
    """Check that both folders hold the same drafts (the varying parts aside); return how
    many."""
    names = sorted(p.name for p in ours.glob("*.eml"))
    assert names == sorted(p.name for p in floor.glob("*.eml")), "different file names"
    for name in names:
        mine = _VARYING.sub(b"", (ours / name).read_bytes())
        theirs = _VARYING.sub(b"", (floor / name).read_bytes())
        assert mine == theirs, f"{name} differs"
    return len(names)


def bench_intro(folder: Path, rounds: int, pairs: int) -> tuple[float, float]:
    """Compare at one size; return the medians of ours and the floor's peak memory (MiB)."""
    here = folder / f"pairs-{pairs}"
    here.mkdir()
    database, _, _, _ = build_year(here, pairs * 3 // 2, every_adept=True)
    script = here / "intro_floor.py"
    script.write_text(FLOOR, encoding="utf-8")
    out_ours, out_floor = here / "ours", here / "floor"

    def ours() -> Run:
        shutil.rmtree(out_ours, ignore_errors=True)
        return run(chefintro(database, "message", "intro", "--out", str(out_ours)))

    def floor() -> Run:
        shutil.rmtree(out_floor, ignore_errors=True)
        return run([sys.executable, str(script), str(database), "2026", str(out_floor)])

    ours()  # warms the cache; then the two sides' files are compared
    floor()
    drafts = same_drafts(out_ours, out_floor)
    (oc, om), (fc, fm) = alternate([ours, floor], rounds)
    report(
        f"intro: message intro, {drafts} drafts, vs one select + email package + write",
        oc,
        fc,
        GOAL,
    )
    print(
        f"intro: peak memory at {drafts} drafts: ours {om / 1024:.0f} MiB, "
        f"floor {fm / 1024:.0f} MiB",
        flush=True,
    )
    return om / 1024, fm / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9, help="runs per side")
    parser.add_argument("--pairs", default="1000,3000", help="comma-separated cohort sizes")
    args = parser.parse_args()
    print(f"machine load (1, 5, 15 min): {os.getloadavg()}", flush=True)
    compile_chefintro()
    memory = {}
    with tempfile.TemporaryDirectory(prefix="bench-messages-") as tmp:
        for pairs in (int(n) for n in args.pairs.split(",")):
            memory[pairs] = bench_intro(Path(tmp), args.rounds, pairs)
    if len(memory) > 1:
        sizes = sorted(memory)
        small, large = memory[sizes[0]][0], memory[sizes[-1]][0]
        print(
            f"intro: peak memory from {sizes[0]} to {sizes[-1]} drafts: ours {small:.0f} -> "
            f"{large:.0f} MiB ({large - small:+.0f} MiB for {sizes[-1] - sizes[0]} more drafts)",
            flush=True,
        )
    print(f"machine load (1, 5, 15 min): {os.getloadavg()}", flush=True)


if __name__ == "__main__":
    main()
