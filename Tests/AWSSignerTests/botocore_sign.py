"""Signs request descriptions (JSON on stdin) with botocore, for the differential test.

Each case: method, url, headers [[name, value]...], body (UTF-8 text), service, region,
key, secret, token (or null), timestamp (YYYYMMDDTHHMMSSZ), unsigned (bool), and
presign (seconds, or null). Output: one JSON list with the Authorization header or the
presigned URL of each case.
"""
import datetime
import json
import sys

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

cases = json.load(sys.stdin)
results = []
for c in cases:
    stamp = datetime.datetime.strptime(c["timestamp"], "%Y%m%dT%H%M%SZ")
    botocore.auth.get_current_datetime = lambda stamp=stamp: stamp
    creds = Credentials(c["key"], c["secret"], c.get("token"))
    request = AWSRequest(method=c["method"], url=c["url"], data=c["body"].encode("utf-8"))
    for name, value in c["headers"]:
        request.headers[name] = value  # appends: repeated headers stay repeated
    if c["unsigned"]:
        request.context["payload_signing_enabled"] = False
    s3 = c["service"] == "s3"
    if c.get("presign") is not None:
        cls = botocore.auth.S3SigV4QueryAuth if s3 else botocore.auth.SigV4QueryAuth
        cls(creds, c["service"], c["region"], expires=c["presign"]).add_auth(request)
        results.append(request.url)
    else:
        cls = botocore.auth.S3SigV4Auth if s3 else botocore.auth.SigV4Auth
        cls(creds, c["service"], c["region"]).add_auth(request)
        results.append(request.headers["Authorization"])
json.dump(results, sys.stdout)
