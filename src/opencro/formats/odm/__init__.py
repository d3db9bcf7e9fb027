"""CDISC ODM 1.3.x: study builds (`metadata_reader`, `metadata_writer`) and clinical data (`clinical_*`).

References: CDISC Operational Data Model (ODM) Version 1.3.2, 2013.
"""
