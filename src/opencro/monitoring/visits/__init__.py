"""Monitoring plan and monitoring visits: scheduling, letters, reports, review."""
