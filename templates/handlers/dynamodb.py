"""Starter handler for a DynamoDB Streams event source mapping.

Returning the sequence numbers of failed records (with FunctionResponseTypes
ReportBatchItemFailures on the mapping) makes Lambda retry from the first
failed record only.
"""


def process(record):
    # Replace with your logic; raise to mark the record as failed.
    _ = record["eventName"], record["dynamodb"].get("Keys")


def handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            process(record)
        except Exception:  # noqa: BLE001 - report every failure to Lambda
            failures.append({"itemIdentifier": record["dynamodb"]["SequenceNumber"]})
    return {"batchItemFailures": failures}
