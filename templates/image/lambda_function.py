"""Entry point of every tsdat pipeline function tsdeploy deploys.

The function's environment (set in the PipelinesStack template) names the pipeline and site:
PIPELINE_NAME, PIPELINE_TYPE (Ingest|VAP), CONFIG_ID, CONFIG_FILE_PATH, INPUT_BUCKET_NAME,
INPUT_BUCKET_PATH, TSDAT_S3_BUCKET_NAME (tsdat's FileSystemS3 bucket), SCHEDULE, BRANCH.

Three kinds of invocation:
- S3 trigger: the EventBridge "Object Created" event names one object; it is processed.
- Cron Ingest: the objects under the site's prefix not processed yet, oldest first.
- Cron VAP: every calendar period (hour, day, week, month) since the last one processed.

Cron runs keep a small state object in the output bucket (under STATE_PREFIX) so no input
and no period is missed or processed twice, even when a run is late, fails or overlaps a
slow upload. Any failure raises: the invocation fails, Lambda retries it and then sends it
to the function's on-failure queue, and the error alarm fires. (The reference logged and
swallowed exceptions, so a broken pipeline looked healthy.)
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import tempfile
from pathlib import Path
from urllib.parse import unquote_plus

import boto3

log = logging.getLogger()
log.setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())

STATE_PREFIX = "tsdeploy-state"
# An object listed late (a multipart upload keeps the time it started) is still found when it
# is at most this much older than the newest object already processed.
LOOKBACK = dt.timedelta(hours=1)
S3_STORAGE = "tsdat.io.storage.FileSystemS3"
UTC = dt.timezone.utc


class HandlerError(RuntimeError):
    pass


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise HandlerError(f"environment variable {name} is not set; the function was not deployed by tsdeploy")
    return value


def load_pipeline():
    """The site's tsdat pipeline with its storage in the output bucket (FileSystemS3)."""
    from tsdat import PipelineConfig  # imported here: the module loads without tsdat for --help-like uses

    config_path = Path(_env("CONFIG_FILE_PATH"))
    if not config_path.is_file():
        raise HandlerError(f"{config_path} is not in the image (working directory {os.getcwd()})")
    import yaml

    raw = yaml.safe_load(config_path.read_text()) or {}
    storage = raw.get("storage") or {}
    # Whatever storage the repository uses locally, a deployed function writes to S3.
    if isinstance(storage, dict) and "path" in storage:
        overrides = {"/storage/overrides": {**(storage.get("overrides") or {}), "/classname": S3_STORAGE}}
    else:
        overrides = {"/storage/classname": S3_STORAGE}
    _env("TSDAT_S3_BUCKET_NAME")
    config = PipelineConfig.from_yaml(config_path, overrides=overrides)
    return config.instantiate_pipeline()


# --- state -----------------------------------------------------------------------------

def _state_key() -> str:
    return f"{STATE_PREFIX}/{os.environ.get('BRANCH', 'main')}/{_env('PIPELINE_NAME')}/{_env('CONFIG_ID')}.json"


def read_state(s3) -> dict:
    try:
        body = s3.get_object(Bucket=_env("TSDAT_S3_BUCKET_NAME"), Key=_state_key())["Body"].read()
    except s3.exceptions.NoSuchKey:
        return {}
    return json.loads(body)


def write_state(s3, state: dict) -> None:
    s3.put_object(Bucket=_env("TSDAT_S3_BUCKET_NAME"), Key=_state_key(), Body=json.dumps(state, sort_keys=True).encode(),
                  ContentType="application/json")


def _iso(t: dt.datetime) -> str:
    return t.astimezone(UTC).isoformat()


def _parse(s: str) -> dt.datetime:
    return dt.datetime.fromisoformat(s).astimezone(UTC)


# --- inputs ----------------------------------------------------------------------------

def event_object(event: dict) -> tuple[str, str] | None:
    """(bucket, key) of an EventBridge S3 "Object Created" event; keys arrive URL-encoded."""
    if event.get("source") != "aws.s3" or event.get("detail-type") != "Object Created":
        return None
    detail = event.get("detail") or {}
    return detail["bucket"]["name"], unquote_plus(detail["object"]["key"])


def _download(s3, bucket: str, key: str, into: Path) -> str:
    # The key's folders are kept: tsdat pipelines match their triggers against the path.
    local = into / key
    local.parent.mkdir(parents=True, exist_ok=True)
    s3.download_file(bucket, key, str(local))
    return str(local)


def pending_inputs(s3, bucket: str, prefix: str, state: dict, fallback: dt.datetime | None) -> list[dict]:
    """Objects under `prefix` not processed yet, oldest first.

    A watermark (newest LastModified processed) plus the keys processed within LOOKBACK of
    it: an object is pending when it is newer than watermark - LOOKBACK and not among them."""
    watermark = _parse(state["watermark"]) if state.get("watermark") else fallback
    done = set(state.get("recent", []))
    since = watermark - LOOKBACK if watermark else None
    pending = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            if obj["Key"].endswith("/"):
                continue
            modified = obj["LastModified"].astimezone(UTC)
            if since is not None and modified <= since:
                continue
            if f"{obj['Key']}@{_iso(modified)}" in done:
                continue
            if watermark is not None and not state.get("watermark") and modified <= watermark:
                continue  # first run after a takeover: only what is newer than the last output
            pending.append({"Key": obj["Key"], "LastModified": modified})
    pending.sort(key=lambda o: (o["LastModified"], o["Key"]))
    return pending


def _advance(state: dict, obj: dict) -> dict:
    watermark = max(_parse(state["watermark"]), obj["LastModified"]) if state.get("watermark") else obj["LastModified"]
    recent = [r for r in state.get("recent", []) if _parse(r.rsplit("@", 1)[1]) > watermark - LOOKBACK]
    recent.append(f"{obj['Key']}@{_iso(obj['LastModified'])}")
    return {**state, "watermark": _iso(watermark), "recent": sorted(set(recent))}


# --- calendar windows ------------------------------------------------------------------

def period_start(t: dt.datetime, schedule: str) -> dt.datetime:
    """The start of the calendar period holding `t` (UTC). Weeks start on Sunday, as the
    Weekly schedule (Sunday 02:30) does."""
    t = t.astimezone(UTC)
    if schedule == "Hourly":
        return t.replace(minute=0, second=0, microsecond=0)
    day = t.replace(hour=0, minute=0, second=0, microsecond=0)
    if schedule == "Daily":
        return day
    if schedule == "Weekly":
        return day - dt.timedelta(days=(day.weekday() + 1) % 7)
    if schedule == "Monthly":
        return day.replace(day=1)
    raise HandlerError(f"unknown SCHEDULE {schedule!r}: expected Hourly, Daily, Weekly or Monthly")


def next_period(t: dt.datetime, schedule: str) -> dt.datetime:
    if schedule == "Hourly":
        return t + dt.timedelta(hours=1)
    if schedule == "Daily":
        return t + dt.timedelta(days=1)
    if schedule == "Weekly":
        return t + dt.timedelta(weeks=1)
    return (t.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def pending_windows(now: dt.datetime, schedule: str, state: dict, limit: int = 48) -> list[tuple[dt.datetime, dt.datetime]]:
    """Complete periods not processed yet: from the end of the last one processed (or the
    previous period on a first run) to the start of the current one. At most `limit` per
    run, oldest first, so a long outage catches up over several runs within the timeout."""
    end = period_start(now, schedule)
    start = _parse(state["processed_until"]) if state.get("processed_until") else None
    if start is None:
        start = period_start(end - dt.timedelta(seconds=1), schedule)
    windows = []
    while start < end and len(windows) < limit:
        stop = next_period(start, schedule)
        windows.append((start, stop))
        start = stop
    return windows


def _tsdat_time(t: dt.datetime) -> str:
    return t.strftime("%Y%m%d.%H%M%S")


# --- handler ---------------------------------------------------------------------------

def handler(event, context=None, now: dt.datetime | None = None):
    log.info("event %s", json.dumps(event, default=str)[:2000])
    s3 = boto3.client("s3")
    pipeline = load_pipeline()
    obj = event_object(event)
    if obj is not None:
        bucket, key = obj
        with tempfile.TemporaryDirectory() as tmp:
            pipeline.run([_download(s3, bucket, key, Path(tmp))])
        log.info("processed s3://%s/%s", bucket, key)
        return {"processed": [key]}

    kind = _env("PIPELINE_TYPE")
    state = read_state(s3)
    if kind == "Ingest":
        bucket = _env("INPUT_BUCKET_NAME")
        prefix = os.environ.get("INPUT_BUCKET_PATH", "")
        fallback = None
        if not state:
            datastream = pipeline.dataset_config.attrs.datastream
            fallback = pipeline.storage.last_modified(datastream)
        processed = []
        for item in pending_inputs(s3, bucket, prefix, state, fallback):
            with tempfile.TemporaryDirectory() as tmp:
                pipeline.run([_download(s3, bucket, item["Key"], Path(tmp))])
            # Saved after each input: a failure later in the run keeps what is done.
            state = _advance(state, item)
            write_state(s3, state)
            processed.append(item["Key"])
        log.info("processed %d input(s)", len(processed))
        return {"processed": processed}

    if kind == "VAP":
        schedule = _env("SCHEDULE")
        windows = pending_windows(now or dt.datetime.now(UTC), schedule, state)
        for start, stop in windows:
            pipeline.run([_tsdat_time(start), _tsdat_time(stop)])
            state = {**state, "processed_until": _iso(stop)}
            write_state(s3, state)
        log.info("processed %d window(s)", len(windows))
        return {"windows": [[_iso(a), _iso(b)] for a, b in windows]}

    raise HandlerError(f"PIPELINE_TYPE {kind!r} with an event that is not an S3 Object Created event: {json.dumps(event)[:200]}")


# The reference image's CMD; kept so an image built for it still starts.
lambda_handler = handler
