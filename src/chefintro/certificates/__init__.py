"""Certificates for adepts who completed the programme: :mod:`.issue` decides who gets one
and gathers what it says; :mod:`.pdf` (the only fpdf2 importer) draws the A4 page."""
