"""Tabular and printed copies of the EDC's clinical data: CSV (long, and wide per form in a ZIP),
an Excel workbook, and a subject's casebook as PDF.

`tables` reads the data subject chunk by subject chunk (rows as tuples) and is shared by the CSV
and Excel writers; `files` names the formats and finds a finished export's file; `casebook_pdf`
prints one subject. None of them decides what a reader may see: they are given the reader's sites
(`StudyAccess.site_ids`) or a subject already found through a site-scoped selector. The EDC holds
no treatment arm, so nothing here can unblind.
"""
