"""The roster workbook: the one table of sheet/column names, a safe reader and a styled writer.

Only this package imports spreadsheet libraries (openpyxl, python-calamine, xlsxwriter), and
it never touches the database: the reader yields validated, row-numbered rows and the loader
elsewhere turns them into store changes.
"""
