"""Safety pages (one module per part, each with its `urls`)."""
