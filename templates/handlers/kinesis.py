"""Starter handler for a Kinesis event source mapping.

Each record's data is base64-encoded. Returning the sequence numbers of the
records that failed (with FunctionResponseTypes ReportBatchItemFailures on the
mapping) makes Lambda retry from the first failed record only.
"""
import base64
import json


def process(payload):
    # Replace with your logic; raise to mark the record as failed.
    json.loads(payload)


def handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            process(base64.b64decode(record["kinesis"]["data"]))
        except Exception:  # noqa: BLE001 - report every failure to Lambda
            failures.append({"itemIdentifier": record["kinesis"]["sequenceNumber"]})
    return {"batchItemFailures": failures}
