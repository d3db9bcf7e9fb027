"""Pure readers and writers of the field's standards (CDISC ODM, REDCap, MedDRA, WHODrug...).

Nothing here imports Django or touches a database: every format can be used from a notebook.
"""
