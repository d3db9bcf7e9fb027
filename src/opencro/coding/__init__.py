"""Medical coding of verbatim terms (adverse events, medical history, medications) to MedDRA and WHODrug."""
