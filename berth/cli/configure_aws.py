"""`berth configure-aws`: an AWS CLI / boto3 profile that talks to this berth.

Prints, or with `--write` merges into the AWS shared files (`~/.aws/credentials` and `~/.aws/config`,
or the files named by $AWS_SHARED_CREDENTIALS_FILE and $AWS_CONFIG_FILE, as the AWS tools read
them), a profile holding the berth access key, the region and `endpoint_url`, the control plane's
ECS JSON endpoint. Then `aws --profile berth ecs list-clusters` and
`boto3.Session(profile_name="berth").client("ecs")` reach berth. Other sections of the files are
kept as they are; the files are written with mode 0600 since they hold a secret.
"""

from __future__ import annotations

import argparse
import configparser
import io
import os
import sys
from pathlib import Path

from berth import config
from berth.cli import command

DEFAULT_PROFILE = "berth"


def profile_sections(
    cfg: config.ClientConfig, profile: str
) -> tuple[str, dict[str, str], str, dict[str, str]]:
    """(credentials section name, its values, config section name, its values) for `profile`."""
    credentials = {"aws_access_key_id": cfg.accessKeyId, "aws_secret_access_key": cfg.secretAccessKey}
    settings = {"region": cfg.region, "output": "json", "endpoint_url": cfg.httpEndpoint}
    if cfg.caFile:
        settings["ca_bundle"] = cfg.caFile  # the AWS CLI and boto3 verify berth's TLS with it
    config_section = "default" if profile == "default" else f"profile {profile}"
    return profile, credentials, config_section, settings


def merged(existing: str, section: str, values: dict[str, str]) -> str:
    """The INI text `existing` with `section` replaced by `values` (other sections untouched)."""
    parser = configparser.RawConfigParser()
    parser.read_string(existing)
    if parser.has_section(section):
        parser.remove_section(section)
    parser.add_section(section)
    for key, value in values.items():
        parser.set(section, key, value)
    out = io.StringIO()
    parser.write(out)
    return out.getvalue()


def render(section: str, values: dict[str, str]) -> str:
    return merged("", section, values)


def aws_files() -> tuple[Path, Path]:
    """The credentials and config files the AWS CLI and boto3 read."""
    home = Path.home() / ".aws"
    credentials = os.environ.get("AWS_SHARED_CREDENTIALS_FILE")
    settings = os.environ.get("AWS_CONFIG_FILE")
    return (
        Path(credentials).expanduser() if credentials else home / "credentials",
        Path(settings).expanduser() if settings else home / "config",
    )


def write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".berth-tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--profile", default=DEFAULT_PROFILE, help=f"AWS profile name (default {DEFAULT_PROFILE})")
    p.add_argument(
        "--write",
        action="store_true",
        help="merge the profile into the AWS credentials and config files instead of printing it",
    )


def run(args: argparse.Namespace) -> int:
    path = Path(args.config).expanduser() if args.config else config.config_path()
    cfg = config.load(path)
    if not cfg.accessKeyId or not cfg.secretAccessKey:
        print(
            f"berth: {path} holds no access key (accessKeyId, secretAccessKey); point --config at the "
            "config file the control plane wrote",
            file=sys.stderr,
        )
        return 1
    cred_section, cred_values, cfg_section, cfg_values = profile_sections(cfg, args.profile)
    credentials_file, config_file = aws_files()
    if args.write:
        for target, section, values in (
            (credentials_file, cred_section, cred_values),
            (config_file, cfg_section, cfg_values),
        ):
            existing = target.read_text() if target.exists() else ""
            write_private(target, merged(existing, section, values))
        print(f"wrote profile {args.profile!r} into {credentials_file} and {config_file}")
    else:
        print(f"# {credentials_file}\n{render(cred_section, cred_values).strip()}\n")
        print(f"# {config_file}\n{render(cfg_section, cfg_values).strip()}\n")
    print(f"# try:  aws --profile {args.profile} ecs list-clusters")
    print(
        f"# an AWS CLI or SDK that ignores endpoint_url in profiles: add --endpoint-url {cfg.httpEndpoint} "
        f"or set AWS_ENDPOINT_URL_ECS={cfg.httpEndpoint}"
    )
    return 0


command("configure-aws", "print or write an AWS CLI profile (access key, region, endpoint) for this berth")(
    (configure, run)
)
