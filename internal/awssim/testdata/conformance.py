"""Check simulator responses against botocore's service models.

Reads JSON lines on stdin, one exchange each:
  {"service": "<botocore service>", "op": "<Operation>", "status": 200,
   "headers": {"Name": "value"}, "body": "<base64>"[, "expect_code": "..."]}
An exchange with expect_code is an error answer: botocore's parser must
read exactly that error code from it.
For each exchange:
  1. botocore's own response parser for the service's protocol must parse
     it into the operation's output shape (an independent client);
  2. a strict walk of the raw document against the output shape finds
     members the shape does not have, values of the wrong type, enum values
     outside the enum, and list/map layouts the protocol does not use.
Writes one JSON object: {"checked": N, "problems": ["...", ...]}.
"""
import base64
import datetime
import json
import sys
import xml.etree.ElementTree as ET

import botocore.session
from botocore import parsers


def main():
    session = botocore.session.get_session()
    loader = session.get_component('data_loader')
    models = {}
    problems = []
    checked = 0
    for line in sys.stdin:
        if not line.strip():
            continue
        ex = json.loads(line)
        svc, op = ex['service'], ex['op']
        if svc not in models:
            models[svc] = session.get_service_model(svc)
        model = models[svc]
        where = f"{svc}.{op}"
        try:
            om = model.operation_model(op)
        except Exception as e:  # noqa: BLE001
            problems.append(f"{where}: not in the {svc} model: {e}")
            continue
        body = base64.b64decode(ex['body'])
        headers = {k.lower(): v for k, v in ex['headers'].items()}
        protocol = model.protocol
        if 'expect_code' in ex:
            checked += 1
            response = {'status_code': ex['status'], 'headers': headers, 'body': body}
            try:
                parsed = parsers.create_parser(protocol).parse(response, om.output_shape)
            except Exception as e:  # noqa: BLE001
                problems.append(f"{where}: botocore's {protocol} parser failed on the error: {e}")
                continue
            code = parsed.get('Error', {}).get('Code')
            if code != ex['expect_code']:
                problems.append(f"{where}: botocore reads error code {code!r} (status {ex['status']}), the simulator meant {ex['expect_code']!r}")
            continue
        if ex['status'] != 200:
            problems.append(f"{where}: status {ex['status']}")
            continue
        checked += 1
        response = {'status_code': ex['status'], 'headers': headers, 'body': body}
        try:
            parser = parsers.create_parser(protocol)
            parser.parse(response, om.output_shape)
        except Exception as e:  # noqa: BLE001
            problems.append(f"{where}: botocore's {protocol} parser failed: {e}")
            continue
        shape = om.output_shape
        if shape is None:
            continue
        try:
            if protocol in ('json', 'rest-json'):
                walk_rest_members(where, shape, headers, problems)
                payload = shape.serialization.get('payload')
                if payload:
                    continue
                doc = json.loads(body or b'{}')
                walk_json(where, shape, doc, problems, top=True)
            elif protocol == 'smithy-rpc-v2-cbor':
                p = parsers.create_parser(protocol)
                doc = p.parse_data_item(p.get_peekable_stream_from_bytes(body)) if body else {}
                walk_json(where, shape, doc, problems, top=True, cbor=True)
            elif protocol in ('query', 'ec2'):
                root = ET.fromstring(body)
                ns = root.tag[1:].split('}')[0] if root.tag.startswith('{') else ''
                # EC2 sends the namespace with a trailing slash; its model
                # metadata has none.
                if ns.rstrip('/') != model.metadata.get('xmlNamespace', '').rstrip('/'):
                    problems.append(f"{where}: XML namespace {ns!r}, model says {model.metadata.get('xmlNamespace')!r}")
                strip(root)
                if protocol == 'query':
                    result = root.find(om.output_shape.serialization.get('resultWrapper') or (op + 'Result'))
                    if result is None:
                        problems.append(f"{where}: no {op}Result element")
                        continue
                    walk_xml(where, shape, result, problems, ec2=False)
                else:
                    req = [c for c in root if c.tag == 'requestId']
                    if not req:
                        problems.append(f"{where}: no requestId")
                    for c in req:
                        root.remove(c)
                    walk_xml(where, shape, root, problems, ec2=True)
            elif protocol == 'rest-xml':
                walk_rest_members(where, shape, headers, problems)
        except Exception as e:  # noqa: BLE001
            problems.append(f"{where}: checker failed: {e!r}")
    json.dump({'checked': checked, 'problems': problems}, sys.stdout)


def strip(el):
    for e in el.iter():
        if '}' in e.tag:
            e.tag = e.tag.split('}', 1)[1]


def walk_rest_members(where, shape, headers, problems):
    for name, m in shape.members.items():
        loc = m.serialization.get('location')
        if loc == 'header':
            v = headers.get(m.serialization.get('name', name).lower())
            if v is not None:
                check_scalar(f"{where}.{name}(header)", m, v, problems, text=True)


def json_key(name, m, protocol_rest):
    return m.serialization.get('name', name) if protocol_rest else name


def walk_json(where, shape, v, problems, top=False, cbor=False):
    t = shape.type_name
    if t == 'structure':
        if not isinstance(v, dict):
            problems.append(f"{where}: want an object, got {type(v).__name__}")
            return
        names = {}
        for name, m in shape.members.items():
            if m.serialization.get('location') in ('header', 'headers', 'statusCode'):
                continue
            names[m.serialization.get('name', name)] = (name, m)
            names.setdefault(name, (name, m))
        for k, val in v.items():
            if top and k == '__type':
                continue
            if k not in names:
                problems.append(f"{where}: member {k!r} is not in {shape.name}")
                continue
            name, m = names[k]
            if val is None:
                continue
            walk_json(f"{where}.{name}", m, val, problems, cbor=cbor)
    elif t == 'list':
        if not isinstance(v, list):
            problems.append(f"{where}: want a list, got {type(v).__name__}")
            return
        for i, e in enumerate(v):
            walk_json(f"{where}[{i}]", shape.member, e, problems, cbor=cbor)
    elif t == 'map':
        if not isinstance(v, dict):
            problems.append(f"{where}: want a map, got {type(v).__name__}")
            return
        for k, e in v.items():
            walk_json(f"{where}[{k}]", shape.value, e, problems, cbor=cbor)
    else:
        check_scalar(where, shape, v, problems, cbor=cbor)


# Values EC2 really sends that its model's enums do not list: VPC endpoint
# states come lower-case ("available"; the DescribeVpcEndpoints filter
# vpc-endpoint-state documents the lower-case values) and internet gateway
# attachments report "available".
WIRE_ENUM_EXTRAS = [
    ('ec2.DescribeVpcEndpoints.VpcEndpoints[', '.State', lambda v, enum: v in [e.lower() for e in enum]),
    ('ec2.DescribeInternetGateways.InternetGateways[', '.State', lambda v, enum: v == 'available'),
]


def enum_ok(where, v, enum):
    if v in enum:
        return True
    for prefix, suffix, ok in WIRE_ENUM_EXTRAS:
        if where.startswith(prefix) and where.endswith(suffix) and ok(v, enum):
            return True
    return False


def check_scalar(where, shape, v, problems, text=False, cbor=False):
    t = shape.type_name
    ok = True
    if t == 'string':
        ok = isinstance(v, str)
        if ok and shape.enum and not enum_ok(where, v, shape.enum):
            problems.append(f"{where}: {v!r} is not one of {shape.enum}")
    elif t in ('integer', 'long'):
        if text:
            ok = v.lstrip('-').isdigit()
        else:
            ok = isinstance(v, int) and not isinstance(v, bool)
    elif t in ('float', 'double'):
        ok = text or (isinstance(v, (int, float)) and not isinstance(v, bool))
    elif t == 'boolean':
        ok = (v in ('true', 'false')) if text else isinstance(v, bool)
    elif t == 'timestamp':
        if cbor:
            ok = isinstance(v, (int, float, datetime.datetime))
        elif text:
            ok = isinstance(v, str)
        else:
            fmt = shape.serialization.get('timestampFormat')
            ok = isinstance(v, str) if fmt in ('iso8601', 'rfc822') else isinstance(v, (int, float)) and not isinstance(v, bool)
    elif t == 'blob':
        ok = isinstance(v, (str, bytes))
    if not ok:
        problems.append(f"{where}: {t} expected, got {v!r}")


def xml_name(name, m):
    return m.serialization.get('name', name)


def walk_xml(where, shape, el, problems, ec2):
    t = shape.type_name
    if t == 'structure':
        members = {}
        for name, m in shape.members.items():
            tag = m.serialization.get('queryName') if ec2 and m.serialization.get('queryName') else xml_name(name, m)
            if ec2 and 'name' not in m.serialization:
                tag = name[0].lower() + name[1:]
            members[tag] = (name, m)
        seen = {}
        for c in el:
            if c.tag not in members:
                problems.append(f"{where}: element <{c.tag}> is not a member of {shape.name}")
                continue
            name, m = members[c.tag]
            if m.type_name == 'list' and m.serialization.get('flattened'):
                walk_xml(f"{where}.{name}", m.member, c, problems, ec2)
                continue
            seen[name] = seen.get(name, 0) + 1
            if seen[name] > 1:
                problems.append(f"{where}: <{c.tag}> repeated")
            walk_xml(f"{where}.{name}", m, c, problems, ec2)
    elif t == 'list':
        item = shape.member.serialization.get('name', 'item' if ec2 else 'member')
        for i, c in enumerate(el):
            if c.tag != item:
                problems.append(f"{where}: list element <{c.tag}>, want <{item}>")
                continue
            walk_xml(f"{where}[{i}]", shape.member, c, problems, ec2)
    elif t == 'map':
        for c in el:
            if c.tag != 'entry':
                problems.append(f"{where}: map element <{c.tag}>, want <entry>")
                continue
            tags = sorted(x.tag for x in c)
            if tags != ['key', 'value']:
                problems.append(f"{where}: map entry has {tags}")
                continue
            walk_xml(f"{where}[{c.find('key').text}]", shape.value, c.find('value'), problems, ec2)
    else:
        if len(el):
            problems.append(f"{where}: scalar {t} has child elements")
            return
        v = el.text or ''
        check_scalar(where, shape, v, problems, text=True)


if __name__ == '__main__':
    main()
