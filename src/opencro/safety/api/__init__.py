"""The safety JSON API (one router per part)."""
