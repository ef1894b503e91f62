#!/usr/bin/env python3
"""Check META.json (the PGXN distribution metadata) against the PGXN Meta Spec v1.

The schemas are the official ones (JSON Schema draft 2020-12) shipped in the Rust crate
pgxn_meta, whose own validator is the reference: like it, this one asserts formats (with PGXN's
custom "path" format) and reads the schemas' patterns as Rust regexes, which Python's re module
mis-parses ([[:digit:]], \\p{Cntrl}); the `regex` module reads them as Rust does.

Checks, each counted: META.json is valid; the crate's own v1 example documents are valid; the
version, name, license, oldest PostgreSQL and files agree with Cargo.toml and the repository;
and invalid variants of META.json are rejected (so the validator cannot pass everything).

    check_meta.py CRATE_DIR    (the pgxn_meta crate's source: schema/v1, corpus/v1; see meta.sh)
"""
import copy, json, pathlib, re, sys, tomllib

import jsonschema, regex
from jsonschema import Draft202012Validator, ValidationError, validators
from referencing import Registry
from referencing.jsonschema import DRAFT202012

ROOT = pathlib.Path(__file__).resolve().parents[2]


def rust_pattern(validator, pattern, instance, schema):
    if validator.is_type(instance, "string") and not regex.search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def rust_pattern_properties(validator, patterns, instance, schema):
    if validator.is_type(instance, "object"):
        for pattern, subschema in patterns.items():
            for key, value in instance.items():
                if regex.search(pattern, key):
                    yield from validator.descend(value, subschema, path=key, schema_path=pattern)


FORMATS = jsonschema.FormatChecker()  # uri (rfc3986-validator), email, ... and PGXN's path:


@FORMATS.checks("path")
def is_path(value):
    """As pgxn_meta's is_path: a relative path without "." or ".." components."""
    if not isinstance(value, str):
        return True
    value = value[2:] if value.startswith("./") else value
    return all(part not in (".", "..") for part in value.split("/"))


PgxnValidator = validators.extend(
    Draft202012Validator, {"pattern": rust_pattern, "patternProperties": rust_pattern_properties})


def validator(schema_dir):
    resources = []
    for path in sorted(schema_dir.glob("*.schema.json")):
        schema = json.loads(path.read_text())
        # Without "$schema", following a $ref keeps PgxnValidator (jsonschema would otherwise
        # switch to its stock draft 2020-12 class, with Python's re for patterns).
        schema.pop("$schema", None)
        resources.append((schema["$id"], DRAFT202012.create_resource(schema)))
    if len(resources) < 20:
        sys.exit(f"only {len(resources)} PGXN v1 schemas in {schema_dir}")
    root = {"$ref": "https://pgxn.org/meta/v1/distribution.schema.json"}
    return PgxnValidator(root, registry=Registry().with_resources(resources), format_checker=FORMATS)


def errors(v, document):
    return [f"/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in v.iter_errors(document)]


def invalid_variants(meta):
    """(what is wrong, document): each must be rejected."""
    def variant(change):
        doc = copy.deepcopy(meta)
        change(doc)
        return doc
    nps = lambda d: d["provides"]["nps_ext"]
    return [
        ("version not SemVer (0.2)", variant(lambda d: d.update(version="0.2"))),
        ("no maintainer", variant(lambda d: d.pop("maintainer"))),
        ("license not a PGXN name (MIT)", variant(lambda d: d.update(license="MIT"))),
        ("license URI not a URI", variant(lambda d: d.update(license={"MIT": "not a uri"}))),
        ("unknown key", variant(lambda d: d.update(homepage="https://example.org/"))),
        ("release_status beta", variant(lambda d: d.update(release_status="beta"))),
        ("PostgreSQL version 14 (not SemVer)", variant(lambda d: d["prereqs"]["runtime"]["requires"].update(PostgreSQL="14"))),
        ("meta-spec version 1.0 ([[:digit:]] pattern)", variant(lambda d: d["meta-spec"].update(version="1.0"))),
        ("name with a slash (\\p{Cntrl} pattern)", variant(lambda d: d.update(name="nps/ext"))),
        ("provides without a version", variant(lambda d: nps(d).pop("version"))),
        ("provides file outside the distribution (path format)", variant(lambda d: nps(d).update(file="../nps_ext.control"))),
    ]


def main():
    crate = pathlib.Path(sys.argv[1])
    v = validator(crate / "schema/v1")
    meta = json.loads((ROOT / "META.json").read_text())
    cargo = tomllib.loads((ROOT / "Cargo.toml").read_text())["package"]
    test_sh = (ROOT / "scripts/test.sh").read_text()
    oldest = min(map(int, re.search(r'NPS_PG_MAJORS:-"([\d ]+)"', test_sh).group(1).split()))
    nps = meta["provides"]["nps_ext"]
    checks = [
        ("META.json is valid PGXN Meta Spec v1", errors(v, meta) == [], errors(v, meta)),
        ("version equals Cargo.toml's", meta["version"] == cargo["version"], (meta["version"], cargo["version"])),
        ("provides nps_ext at Cargo.toml's version", nps["version"] == cargo["version"], nps["version"]),
        ("name equals the crate's", meta["name"] == cargo["name"], meta["name"]),
        ("license is Cargo.toml's", meta["license"] == cargo["license"].lower(), (meta["license"], cargo["license"])),
        ("PostgreSQL requirement is the oldest tested major",
         meta["prereqs"]["runtime"]["requires"]["PostgreSQL"] == f"{oldest}.0.0", oldest),
        ("provides' files exist", all((ROOT / nps[k]).is_file() for k in ("file", "docfile")), nps),
    ]
    # the validator accepts what the spec's authors wrote as valid ...
    for path in sorted((crate / "corpus/v1").glob("*.json")):
        found = errors(v, json.loads(path.read_text()))
        checks.append((f"pgxn_meta's example {path.name} is valid", found == [], found))
    # ... and rejects what is not
    for what, doc in invalid_variants(meta):
        checks.append((f"rejected: {what}", errors(v, doc) != [], "accepted"))
    failed = [(name, detail) for name, ok, detail in checks if not ok]
    for name, detail in failed:
        print(f"FAILED: {name}: {detail}", file=sys.stderr)
    print(f"pgxn: {len(checks) - len(failed)} passed, {len(failed)} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
