"""One intake per noun: rows in, problems and warnings out, from one list of checks.

Every door sends its rows through the same intake — a command one row, a roster sheet
and a yearly plan all of theirs — and gets the same findings, word for word. A door only
says where a row came from (``Deltagare row 4: …``) and what to do with the answer: a
command raises the first problem and prints the warnings; a roster collects every
problem with its sheet, row and column, and refuses the whole file.

A check is a function ``(context, row) -> Iterable[Finding]`` in a noun's ``CHECKS``
tuple; a new rule is one more entry there (:mod:`chefintro.intake.participants`,
:mod:`chefintro.intake.sessions`). The rules themselves stay pure, in
:mod:`chefintro.rules`.
"""

from chefintro.intake.findings import Finding, problem, raise_first, warning

__all__ = ["Finding", "problem", "raise_first", "warning"]
