"""The roster workbook, in three jobs, one folder each:

- ``read/``  — HR's file is read here (:func:`chefintro.roster.read.reader.read_roster`):
  safety checks on the untrusted bytes, header search, typed row-numbered rows; no store.
- ``load/``  — a row becomes a participant, a day, a pair here
  (:func:`chefintro.roster.load.roster_import.import_roster`): each sheet through its
  noun's intake (:mod:`chefintro.intake`), all or nothing.
- ``write/`` — a workbook is written here (:func:`chefintro.roster.write.writer.write_workbook`,
  specs from the store in ``collect.py``).

``columns.py`` is the one table of sheet and column names all three share; ``survey_form.py``
writes the survey form and reads its answers back. Only this package imports spreadsheet
libraries (openpyxl, python-calamine, xlsxwriter); only ``load/`` and ``write/collect.py``
touch the store.
"""
