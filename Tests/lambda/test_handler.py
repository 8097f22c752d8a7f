"""The deployed handler (templates/image/lambda_function.py) with real tsdat from PyPI against
moto's S3: a small CSV ingest pipeline (Tests/lambda/project) writes netCDF into the output
bucket. Nothing of tsdat is stubbed; only AWS is emulated (moto in-process)."""
from __future__ import annotations

import datetime as dt
import importlib
import os
import shutil
import sys
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
UTC = dt.timezone.utc

CSV = "timestamp,temp_c\n2024-05-01 00:00:00,11.5\n2024-05-01 00:10:00,12.0\n"


@pytest.fixture()
def project(tmp_path, monkeypatch):
    """The pipelines repository as the image lays it out: the working directory holds
    pipelines/, shared/ and the handler."""
    root = tmp_path / "task"
    shutil.copytree(HERE / "project", root)
    shutil.copy(ROOT / "templates" / "image" / "lambda_function.py", root / "lambda_function.py")
    monkeypatch.chdir(root)
    monkeypatch.syspath_prepend(str(root))
    for k, v in {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-west-2",
        "PIPELINE_NAME": "weather", "CONFIG_ID": "hum", "CONFIG_FILE_PATH": "pipelines/weather/config/pipeline.yaml",
        "INPUT_BUCKET_NAME": "in-bucket", "INPUT_BUCKET_PATH": "weather/hum/", "TSDAT_S3_BUCKET_NAME": "out-bucket",
        "BRANCH": "main", "PIPELINE_TYPE": "Ingest",
    }.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-west-2")
        for b in ("in-bucket", "out-bucket"):
            s3.create_bucket(Bucket=b, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
        sys.modules.pop("lambda_function", None)
        yield s3, importlib.import_module("lambda_function")


def outputs(s3):
    listed = s3.list_objects_v2(Bucket="out-bucket").get("Contents", [])
    return sorted(o["Key"] for o in listed if o["Key"].endswith(".nc"))


def s3_event(key_as_sent: str) -> dict:
    return {"version": "0", "source": "aws.s3", "detail-type": "Object Created", "region": "us-west-2",
            "detail": {"bucket": {"name": "in-bucket"}, "object": {"key": key_as_sent, "size": len(CSV)}}}


def test_s3_event_runs_tsdat_and_writes_netcdf(project):
    s3, fn = project
    key = "weather/hum/weather 2024-05-01.csv"
    s3.put_object(Bucket="in-bucket", Key=key, Body=CSV.encode())
    result = fn.handler(s3_event("weather/hum/weather+2024-05-01.csv"))  # EventBridge sends keys URL-encoded
    assert result == {"processed": [key]}
    (nc,) = outputs(s3)
    assert nc.endswith("hum.weather.a1.20240501.000000.nc")
    local = Path("out.nc")
    s3.download_file("out-bucket", nc, str(local))
    import xarray as xr

    with xr.open_dataset(local) as ds:
        assert list(ds["temperature"].values) == [11.5, 12.0]
        assert ds.attrs["datastream"] == "hum.weather.a1"


def test_a_failing_pipeline_fails_the_invocation(project):
    s3, fn = project
    s3.put_object(Bucket="in-bucket", Key="weather/hum/weather-bad.csv", Body=b"no,columns\nat,all\n")
    with pytest.raises(Exception):
        fn.handler(s3_event("weather/hum/weather-bad.csv"))
    assert outputs(s3) == []


def test_cron_ingest_processes_each_input_once_without_gaps(project):
    s3, fn = project
    event = {"source": "aws.events", "detail-type": "Scheduled Event"}
    s3.put_object(Bucket="in-bucket", Key="weather/hum/weather-1.csv", Body=CSV.encode())
    s3.put_object(Bucket="in-bucket", Key="elsewhere/weather-x.csv", Body=CSV.encode())
    assert fn.handler(event) == {"processed": ["weather/hum/weather-1.csv"]}
    assert fn.handler(event) == {"processed": []}  # nothing new: nothing twice
    later = CSV.replace("2024-05-01", "2024-05-02")
    s3.put_object(Bucket="in-bucket", Key="weather/hum/weather-2.csv", Body=later.encode())
    assert fn.handler(event) == {"processed": ["weather/hum/weather-2.csv"]}
    assert [k.rsplit("/", 1)[1] for k in outputs(s3)] == [
        "hum.weather.a1.20240501.000000.nc", "hum.weather.a1.20240502.000000.nc"]


def test_cron_ingest_stops_at_a_failure_and_resumes_there(project):
    s3, fn = project
    event = {"source": "aws.events", "detail-type": "Scheduled Event"}
    s3.put_object(Bucket="in-bucket", Key="weather/hum/weather-1.csv", Body=CSV.encode())
    s3.put_object(Bucket="in-bucket", Key="weather/hum/weather-2.csv", Body=b"broken\n")
    with pytest.raises(Exception):
        fn.handler(event)
    assert len(outputs(s3)) == 1  # the first input is done and recorded
    s3.put_object(Bucket="in-bucket", Key="weather/hum/weather-2.csv", Body=CSV.replace("2024-05-01", "2024-05-03").encode())
    assert fn.handler(event) == {"processed": ["weather/hum/weather-2.csv"]}


def test_pending_inputs_keeps_late_listed_objects_and_skips_done_ones(project):
    _, fn = project
    t0 = dt.datetime(2024, 5, 1, 12, tzinfo=UTC)

    class FakePaginator:
        def __init__(self, objs):
            self.objs = objs

        def paginate(self, **_):
            yield {"Contents": self.objs}

    class FakeS3:
        def __init__(self, objs):
            self.objs = objs

        def get_paginator(self, _):
            return FakePaginator(self.objs)

    state = {"watermark": fn._iso(t0), "recent": [f"a.csv@{fn._iso(t0)}"]}
    objs = [{"Key": "a.csv", "LastModified": t0},  # done
            {"Key": "late.csv", "LastModified": t0 - dt.timedelta(minutes=20)},  # a slow upload listed late
            {"Key": "old.csv", "LastModified": t0 - dt.timedelta(hours=3)},  # long done
            {"Key": "new.csv", "LastModified": t0 + dt.timedelta(minutes=1)}]
    assert [o["Key"] for o in fn.pending_inputs(FakeS3(objs), "b", "", state, None)] == ["late.csv", "new.csv"]


@pytest.mark.parametrize("schedule, now, expected", [
    ("Hourly", "2024-05-01T10:00:05", [("2024-05-01T09:00:00", "2024-05-01T10:00:00")]),
    ("Daily", "2024-05-01T02:00:00", [("2024-04-30T00:00:00", "2024-05-01T00:00:00")]),
    ("Weekly", "2024-05-05T02:30:00", [("2024-04-28T00:00:00", "2024-05-05T00:00:00")]),  # Sunday to Sunday
    ("Monthly", "2024-03-01T03:00:00", [("2024-02-01T00:00:00", "2024-03-01T00:00:00")]),  # 29 days, not 31
])
def test_vap_windows_follow_the_calendar(project, schedule, now, expected):
    _, fn = project
    at = dt.datetime.fromisoformat(now).replace(tzinfo=UTC)
    got = [(a.replace(tzinfo=None).isoformat(), b.replace(tzinfo=None).isoformat()) for a, b in fn.pending_windows(at, schedule, {})]
    assert got == expected


def test_vap_windows_catch_up_after_missed_runs_and_never_repeat(project):
    _, fn = project
    state = {"processed_until": "2024-05-01T06:00:00+00:00"}
    at = dt.datetime(2024, 5, 1, 9, 0, 3, tzinfo=UTC)
    windows = fn.pending_windows(at, "Hourly", state)
    assert [w[0].hour for w in windows] == [6, 7, 8]
    assert fn.pending_windows(at, "Hourly", {"processed_until": fn._iso(windows[-1][1])}) == []


def test_an_event_that_is_neither_s3_nor_cron_is_an_error(project, monkeypatch):
    _, fn = project
    monkeypatch.setenv("PIPELINE_TYPE", "Other")
    with pytest.raises(fn.HandlerError):
        fn.handler({"source": "aws.events"})


def test_cron_vap_runs_tsdat_over_the_days_window_on_the_ingests_output(project, monkeypatch):
    s3, fn = project
    s3.put_object(Bucket="in-bucket", Key="weather/hum/weather-1.csv", Body=CSV.encode())
    fn.handler(s3_event("weather/hum/weather-1.csv"))  # hum.weather.a1 for 2024-05-01 now in the output bucket
    monkeypatch.setenv("PIPELINE_NAME", "weather_vap")
    monkeypatch.setenv("PIPELINE_TYPE", "VAP")
    monkeypatch.setenv("SCHEDULE", "Daily")
    monkeypatch.setenv("CONFIG_FILE_PATH", "pipelines/weather_vap/config/pipeline.yaml")
    event = {"source": "aws.events", "detail-type": "Scheduled Event"}
    now = dt.datetime(2024, 5, 2, 2, 0, tzinfo=UTC)
    assert fn.handler(event, now=now) == {"windows": [["2024-05-01T00:00:00+00:00", "2024-05-02T00:00:00+00:00"]]}
    vap = [k for k in outputs(s3) if ".weather_vap.b1." in k]
    assert len(vap) == 1 and vap[0].endswith("hum.weather_vap.b1.20240501.000000.nc"), outputs(s3)
    s3.download_file("out-bucket", vap[0], "vap.nc")
    import xarray as xr

    with xr.open_dataset("vap.nc") as ds:
        assert list(ds["temperature"].values) == [11.5, 12.0]  # the ingest's output, read back from S3 by tsdat
    assert fn.handler(event, now=now) == {"windows": []}  # the same day is never run twice
