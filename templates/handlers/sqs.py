"""Starter handler for an SQS event source mapping (standard or FIFO).

Returning the message IDs that failed (with FunctionResponseTypes
ReportBatchItemFailures on the mapping) makes only those messages visible
again; the others are deleted from the queue.
"""
import json


def process(body):
    # Replace with your logic; raise to mark the message as failed.
    json.loads(body)


def handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            process(record["body"])
        except Exception:  # noqa: BLE001 - report every failure to Lambda
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
