"""Compare the simulator's request-parameter bounds with botocore's models.

Reads {"service.Operation.Parameter": [lo, hi], ...} on stdin and writes
{"checked": N, "problems": [...]}: a bound the model states must equal the
simulator's; a bound the model leaves out is reported as unchecked.
"""
import json
import sys

import botocore.session


def main():
    bounds = json.load(sys.stdin)
    session = botocore.session.get_session()
    problems, checked, unchecked = [], 0, []
    for key, (lo, hi) in sorted(bounds.items()):
        svc, op, param = key.split('.')
        try:
            shape = session.get_service_model(svc).operation_model(op).input_shape.members[param]
        except Exception as e:  # noqa: BLE001
            problems.append(f"{key}: not in the model: {e!r}")
            continue
        mlo, mhi = shape.metadata.get('min'), shape.metadata.get('max')
        if mlo is None and mhi is None:
            unchecked.append(key)
            continue
        checked += 1
        if mlo is not None and mlo != lo:
            problems.append(f"{key}: minimum {lo}, model says {mlo}")
        if mhi is not None and mhi != hi:
            problems.append(f"{key}: maximum {hi}, model says {mhi}")
    json.dump({'checked': checked, 'unchecked': unchecked, 'problems': problems}, sys.stdout)


if __name__ == '__main__':
    main()
