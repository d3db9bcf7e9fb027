"""Where uploaded imports wait and finished exports lie, under the instance's var folder."""

import uuid
from pathlib import Path

from django.conf import settings


def upload_path(suffix: str = ".xml") -> Path:
    folder = Path(settings.VAR_DIR) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{uuid.uuid4().hex}{suffix}"


def export_path(job_id: int, suffix: str = ".xml") -> Path:
    """Where export job `job_id` writes its file: ".xml" for ODM, ".csv", ".zip" or ".xlsx" for tables."""
    folder = Path(settings.VAR_DIR) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"job-{job_id}{suffix}"
