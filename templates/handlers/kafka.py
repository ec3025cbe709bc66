"""Starter handler for an Amazon MSK or self-managed Kafka event source mapping.

event["records"] maps "topic-partition" to that partition's records; each
value is base64-encoded. Raising fails the whole batch, which Lambda retries
(with limits and an on-failure destination only in provisioned mode).
"""
import base64
import json


def process(topic, partition, offset, value):
    # Replace with your logic; raise to fail the batch.
    json.loads(value)


def handler(event, context):
    for records in event["records"].values():
        for record in records:
            value = base64.b64decode(record["value"]) if record.get("value") else b"null"
            process(record["topic"], record["partition"], record["offset"], value)
