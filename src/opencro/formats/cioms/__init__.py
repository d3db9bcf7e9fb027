"""CIOMS I: the suspect adverse reaction report form, drawn as a PDF."""
