"""Entry point of every tsdat pipeline function deployed by tsdeploy.

The function's environment (set in the PipelinesStack template) says which pipeline and
site it runs: PIPELINE_NAME, PIPELINE_TYPE, CONFIG_ID, CONFIG_FILE_PATH, INPUT_BUCKET_NAME,
INPUT_BUCKET_PATH, TSDAT_S3_BUCKET_NAME, SCHEDULE, RETAIN_INPUT_FILES.
Three kinds of invocation:
- S3 trigger (EventBridge "Object Created"): process the object named in the event.
- Cron, Ingest: process the objects under the site's prefix newer than the last run.
- Cron, VAP: process the time window that ends now and spans one schedule period.
"""
import datetime as dt
import json
import logging
import os

import boto3

log = logging.getLogger()
log.setLevel(logging.INFO)
s3 = boto3.client("s3")

PERIODS = {
    "Hourly": dt.timedelta(hours=1),
    "Daily": dt.timedelta(days=1),
    "Weekly": dt.timedelta(weeks=1),
    "Monthly": dt.timedelta(days=31),
}


def _run_pipeline(inputs=None, window=None):
    from utils import run_pipeline  # provided by the pipelines repository

    return run_pipeline(
        pipeline=os.environ["PIPELINE_NAME"],
        config_file=os.environ["CONFIG_FILE_PATH"],
        inputs=inputs,
        window=window,
        output_bucket=os.environ["TSDAT_S3_BUCKET_NAME"],
        retain_input_files=os.environ.get("RETAIN_INPUT_FILES", "true") == "true",
    )


def _objects_since(bucket, prefix, since):
    paginator = s3.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            if obj["LastModified"] > since:
                yield f"s3://{bucket}/{obj['Key']}"


def handler(event, context):
    log.info("event: %s", json.dumps(event)[:2000])
    now = dt.datetime.now(dt.timezone.utc)
    period = PERIODS.get(os.environ.get("SCHEDULE", "Daily"), dt.timedelta(days=1))
    if event.get("detail-type") == "Object Created":
        detail = event["detail"]
        inputs = [f"s3://{detail['bucket']['name']}/{detail['object']['key']}"]
        return _run_pipeline(inputs=inputs)
    if os.environ.get("PIPELINE_TYPE") == "Ingest":
        inputs = list(_objects_since(os.environ["INPUT_BUCKET_NAME"], os.environ["INPUT_BUCKET_PATH"], now - period))
        if not inputs:
            log.info("no new inputs")
            return {"processed": 0}
        return _run_pipeline(inputs=inputs)
    return _run_pipeline(window=(now - period, now))
