"""blobstore_from_config / check_config: a settings mapping becomes a store, and every mistake names its key."""

import importlib.util

import pytest

from opencro.core.blobstore import LocalBlobStore, blobstore_from_config, check_config

HAS_BOTO3 = importlib.util.find_spec("boto3") is not None


def test_a_local_configuration_makes_a_local_store(tmp_path):
    config = {"BACKEND": "local", "ROOT": str(tmp_path / "blobs")}
    assert check_config(config) == []
    store = blobstore_from_config(config)
    assert isinstance(store, LocalBlobStore) and store.root == tmp_path / "blobs"


@pytest.mark.skipif(not HAS_BOTO3, reason="boto3 is not installed (the 's3' extra): S3 configuration not built")
def test_an_s3_configuration_makes_an_s3_store():
    from opencro.core.blobstore import S3BlobStore

    config = {
        "BACKEND": "s3",
        "BUCKET": "tmf",
        "ENDPOINT_URL": "http://127.0.0.1:9000",
        "REGION": "eu-west-1",
        "ACCESS_KEY": "minio",
        "SECRET_KEY": "minio-secret",
        "PREFIX": "/opencro/",
        "CONDITIONAL_WRITES": False,
        "MULTIPART_THRESHOLD": 16 * 1024 * 1024,
    }
    assert check_config(config) == []
    store = blobstore_from_config(config)  # makes a client only: no request is sent
    assert isinstance(store, S3BlobStore)
    assert (store.bucket, store.prefix, store.conditional_writes) == ("tmf", "opencro/", False)


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        ({}, "BACKEND is missing"),
        ({"BACKEND": "ftp", "ROOT": "/srv"}, "BACKEND 'ftp' is unknown"),
        ({"BACKEND": "local"}, "ROOT is missing"),
        ({"BACKEND": "s3"}, "BUCKET is missing"),
        ({"BACKEND": "local", "ROOT": "/srv/blobs", "BUCKET": "x"}, "BUCKET is not a setting of the local backend"),
        ({"BACKEND": "s3", "BUCKET": "x", "ENDPIONT_URL": "http://h"}, "ENDPIONT_URL is not a setting of the s3"),
        ({"BACKEND": "local", "ROOT": "blobs"}, "ROOT must be an absolute path"),
        ({"BACKEND": "local", "ROOT": ""}, "ROOT must be a non-empty path"),
        ({"BACKEND": "s3", "BUCKET": ""}, "BUCKET must not be empty"),
        ({"BACKEND": "s3", "BUCKET": "x", "ENDPOINT_URL": "minio:9000"}, "ENDPOINT_URL must be an http(s) URL"),
        ({"BACKEND": "s3", "BUCKET": "x", "ACCESS_KEY": "a"}, "ACCESS_KEY and SECRET_KEY must be given together"),
        ({"BACKEND": "s3", "BUCKET": "x", "CONDITIONAL_WRITES": "no"}, "CONDITIONAL_WRITES must be True or False"),
        ({"BACKEND": "s3", "BUCKET": "x", "MULTIPART_THRESHOLD": 1024}, "MULTIPART_THRESHOLD must be an integer"),
        ({"BACKEND": "s3", "BUCKET": 7}, "BUCKET must be a string"),
    ],
)
def test_each_problem_names_its_key(config, problem):
    problems = check_config(config)
    assert any(found.startswith(problem) for found in problems), problems
    with pytest.raises(ValueError, match="blob store configuration: ") as caught:
        blobstore_from_config(config)
    assert problem in str(caught.value)


def test_a_root_that_is_a_file_is_reported(tmp_path):
    path = tmp_path / "blobs"
    path.write_text("not a folder")
    assert check_config({"BACKEND": "local", "ROOT": str(path)}) == [f"ROOT exists and is not a directory: {path}"]


def test_all_problems_are_listed_at_once():
    problems = check_config({"BACKEND": "s3", "BUCKET": "", "ENDPOINT_URL": "ftp://h", "SECRET_KEY": "s"})
    assert [problem.split(" ")[0] for problem in problems if not problem.startswith("the s3 backend")] == [
        "BUCKET",
        "ENDPOINT_URL",
        "ACCESS_KEY",
    ]


def test_a_missing_boto3_is_reported_for_the_s3_backend(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "boto3" else real(name, *a))
    assert check_config({"BACKEND": "s3", "BUCKET": "tmf"}) == ["the s3 backend needs boto3: install the 's3' extra"]
