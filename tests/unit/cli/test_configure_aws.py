"""`berth configure-aws`: the profile it builds and how it merges into existing AWS files."""

from __future__ import annotations

import configparser

from berth import config
from berth.cli import configure_aws

CFG = config.ClientConfig(
    accessKeyId="BKIA1", secretAccessKey="s3cret", region="lab", httpEndpoint="http://10.0.0.5:7411"
)


def parse(text: str) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser()
    parser.read_string(text)
    return parser


def test_profile_sections() -> None:
    cred_name, cred, cfg_name, cfg = configure_aws.profile_sections(CFG, "berth")
    assert (cred_name, cfg_name) == ("berth", "profile berth")
    assert cred == {"aws_access_key_id": "BKIA1", "aws_secret_access_key": "s3cret"}
    assert cfg == {"region": "lab", "output": "json", "endpoint_url": "http://10.0.0.5:7411"}


def test_the_default_profile_is_named_default_in_the_config_file() -> None:
    assert configure_aws.profile_sections(CFG, "default")[2] == "default"


def test_merge_replaces_the_profile_and_keeps_the_others() -> None:
    existing = "[default]\nregion = us-east-1\n\n[profile berth]\nregion = old\ncli_pager = less\n"
    merged = parse(configure_aws.merged(existing, "profile berth", {"region": "lab"}))
    assert dict(merged["default"]) == {"region": "us-east-1"}
    assert dict(merged["profile berth"]) == {"region": "lab"}


def test_merge_into_an_empty_file() -> None:
    merged = parse(configure_aws.merged("", "berth", {"aws_access_key_id": "BKIA1"}))
    assert merged.sections() == ["berth"]
