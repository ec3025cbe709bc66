"""Transform SAM templates with AWS's own SAM translator (aws-sam-translator).

Usage: python3 sam_translate.py [--out DIR] FILE...
Each FILE is a SAM template (YAML or JSON, short-form intrinsics allowed).
Prints one line per file: "ok FILE" or "error FILE: message". Exits 1 when any
file fails. With --out, writes each transformed CloudFormation template to
DIR/<name>.json, so cfn-lint can check what CloudFormation would deploy. Offline: managed policy names resolve to their ARN in the aws
partition, as `sam validate` does without an IAM lookup.
"""
import json
import os
import sys

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class AnyManagedPolicy(dict):
    """Maps every managed policy name to its AWS ARN (no IAM call)."""

    def __missing__(self, name):
        return "arn:aws:iam::aws:policy/" + name

    def get(self, name, default=None):
        return self[name]

    def __contains__(self, name):
        return True


class Loader:
    def load(self):
        return AnyManagedPolicy()


def main(args):
    out = None
    if args[:1] == ["--out"]:
        out, args = args[1], args[2:]
    return translate(args, out)


def translate(paths, out):
    # The translator asks boto for the Region (partition and ARNs); offline
    # it must be given.
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    failed = 0
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                template = yaml_parse(f.read())
            cfn = transform(template, {}, Loader())
            if out:
                name = os.path.splitext(os.path.basename(path))[0] + ".json"
                with open(os.path.join(out, name), "w", encoding="utf-8") as f:
                    json.dump(cfn, f, indent=1, default=str)
            print("ok", path)
        except Exception as e:  # the translator raises several types
            failed += 1
            msg = getattr(e, "message", None) or str(e)
            causes = getattr(e, "causes", None) or []
            for c in causes:
                msg += " | " + (getattr(c, "message", None) or str(c))
            print("error", path + ":", msg.replace("\n", " "))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
