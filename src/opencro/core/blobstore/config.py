"""Build the configured store from a settings mapping, and say what is wrong with one before it is used.

{"BACKEND": "local", "ROOT": "/srv/opencro/blobs"}
{"BACKEND": "s3", "BUCKET": "tmf", "ENDPOINT_URL": "https://minio.example:9000", "REGION": "eu-west-1",
 "ACCESS_KEY": "...", "SECRET_KEY": "...", "PREFIX": "opencro/", "CONDITIONAL_WRITES": True,
 "MULTIPART_THRESHOLD": 8388608}
"""

import importlib.util
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from opencro.core.blobstore.local import LocalBlobStore
from opencro.core.blobstore.protocol import BlobStore
from opencro.core.blobstore.s3 import DEFAULT_MULTIPART_THRESHOLD, MIN_PART_SIZE, S3BlobStore

REQUIRED = {"local": ("ROOT",), "s3": ("BUCKET",)}
OPTIONAL = {
    "local": (),
    "s3": ("ENDPOINT_URL", "REGION", "ACCESS_KEY", "SECRET_KEY", "PREFIX", "CONDITIONAL_WRITES", "MULTIPART_THRESHOLD"),
}
TEXT_KEYS = ("BUCKET", "ENDPOINT_URL", "REGION", "ACCESS_KEY", "SECRET_KEY", "PREFIX")


def _local_problems(config: Mapping[str, object]) -> list[str]:
    root = config["ROOT"]
    if not isinstance(root, str | Path) or not str(root):
        return ["ROOT must be a non-empty path"]
    path = Path(root)
    if not path.is_absolute():
        return [f"ROOT must be an absolute path (a relative one depends on the working directory): {root}"]
    if path.exists() and not path.is_dir():
        return [f"ROOT exists and is not a directory: {root}"]
    return []


def _s3_problems(config: Mapping[str, object]) -> list[str]:
    problems = [] if importlib.util.find_spec("boto3") else ["the s3 backend needs boto3: install the 's3' extra"]
    problems += [
        f"{name} must be a string"
        for name in TEXT_KEYS
        if config.get(name) is not None and not isinstance(config[name], str)
    ]
    if config.get("BUCKET") == "":
        problems.append("BUCKET must not be empty")
    endpoint = config.get("ENDPOINT_URL")
    if isinstance(endpoint, str) and (
        urlsplit(endpoint).scheme not in ("http", "https") or not urlsplit(endpoint).netloc
    ):
        problems.append(f"ENDPOINT_URL must be an http(s) URL: {endpoint}")
    if (config.get("ACCESS_KEY") is None) != (config.get("SECRET_KEY") is None):
        problems.append(
            "ACCESS_KEY and SECRET_KEY must be given together (or neither, to use the AWS credential chain)"
        )
    if "CONDITIONAL_WRITES" in config and not isinstance(config["CONDITIONAL_WRITES"], bool):
        problems.append("CONDITIONAL_WRITES must be True or False")
    threshold = config.get("MULTIPART_THRESHOLD")
    if threshold is not None and (
        not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < MIN_PART_SIZE
    ):
        problems.append(
            f"MULTIPART_THRESHOLD must be an integer of at least {MIN_PART_SIZE} (the S3 minimum part size)"
        )
    return problems


def check_config(config: Mapping[str, object]) -> list[str]:
    """Every problem with a blob store configuration, each naming the key at fault; empty when it is usable.

    Touches no network (a Django system check runs at every start); for a local root it only looks at
    whether the path, if it exists, is a directory.
    """
    backend = config.get("BACKEND")
    if backend is None:
        return ["BACKEND is missing (one of: local, s3)"]
    if backend not in REQUIRED:
        return [f"BACKEND {backend!r} is unknown (one of: local, s3)"]
    problems = [
        f"{name} is missing (needed by the {backend} backend)" for name in REQUIRED[backend] if name not in config
    ]
    allowed = {"BACKEND", *REQUIRED[backend], *OPTIONAL[backend]}
    problems += [f"{name} is not a setting of the {backend} backend" for name in sorted(set(config) - allowed)]
    if problems:
        return problems
    return _local_problems(config) if backend == "local" else _s3_problems(config)


def blobstore_from_config(config: Mapping[str, object]) -> BlobStore:
    """The store a configuration describes; `ValueError` listing every problem `check_config` finds."""
    problems = check_config(config)
    if problems:
        raise ValueError("blob store configuration: " + "; ".join(problems))
    if config["BACKEND"] == "local":
        return LocalBlobStore(Path(str(config["ROOT"])))
    threshold = config.get("MULTIPART_THRESHOLD")
    return S3BlobStore(
        str(config["BUCKET"]),
        endpoint_url=_text(config, "ENDPOINT_URL"),
        region=_text(config, "REGION"),
        access_key=_text(config, "ACCESS_KEY"),
        secret_key=_text(config, "SECRET_KEY"),
        prefix=_text(config, "PREFIX") or "",
        conditional_writes=bool(config.get("CONDITIONAL_WRITES", True)),
        multipart_threshold=threshold if isinstance(threshold, int) else DEFAULT_MULTIPART_THRESHOLD,
    )


def _text(config: Mapping[str, object], name: str) -> str | None:
    value = config.get(name)
    return value if isinstance(value, str) else None
