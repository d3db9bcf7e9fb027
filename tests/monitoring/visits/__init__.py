"""Monitoring plan and visits."""
