"""Shared pieces: base layout, navigation, the safe expression language, time-zone display."""
