"""Submission data and the clinical study report's statistics: SDTM tabulations, ADaM analysis datasets,
Define-XML and the tables, listings and figures.

The pure engines (`sdtm`, `adam`, `tfl`) import no Django: they turn data frames and specifications into data
frames, analysis results and rendered outputs. The app around them reads the study's own data through selectors
and packages the results for eCTD module 5.
"""
