"""Printable and spreadsheet copies of the audit trail (EU Annex 11 section 8.1, 21 CFR 11.10(b)).

`meta` describes a copy (who printed what, when, with which filters); `rows` turns records into
the cells both formats share; `csv_export` and `pdf_export` write them. None of them decides what a
reader may see: they are given a queryset from `audit.selectors.audit_for_study`.
"""
