"""ICH E2B(R3) individual case safety reports: model, reader, writer, acknowledgements, business rules."""
