#!/usr/bin/env bash
# Install, upgrade or remove the berth agent on this host as the systemd service berth-agent.
#
#   deploy/install-agent.sh --endpoint CP:7410 --join-token-file FILE [--cluster C] [options]
#   deploy/install-agent.sh --from-wheel berth-0.2.0-py3-none-any.whl    # upgrade, settings kept
#   deploy/install-agent.sh --uninstall [--purge]
#
# What it does (as root, on Debian or Ubuntu): installs docker.io when dockerd is missing, installs
# berth into a venv under /opt/berth/venvs/ (/opt/berth/venv points at the current one), writes
# /etc/berth/agent.env and /etc/berth/join-token, the unit /etc/systemd/system/berth-agent.service
# (deploy/systemd/berth-agent.service) and the data dir /var/lib/berth-agent, then enables and
# (re)starts the service. It is idempotent: a second run with the same arguments changes nothing and
# restarts nothing. A run with a new package builds a new venv beside the old one, switches the link
# and restarts the agent, which adopts its running containers: tasks keep running. The agent logs
# to the journal (journalctl -u berth-agent), so there is no log file to rotate; the containers'
# logs are Docker's json-file logs, rotated as each task definition says.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
usage() {
  cat <<'EOF'
usage: install-agent.sh [settings] [package] [options]
       install-agent.sh --uninstall [--purge] [--root DIR] [--no-systemd]

settings (the first install needs --endpoint and --join-token-file; a later run keeps the
installed settings and changes only those given):
  --endpoint HOST:PORT        the control plane's gRPC address
  --join-token-file FILE      file holding the join token (the control plane's <data-dir>/join-token)
  --cluster NAME              cluster to join (default: default)
  --data-dir DIR              the agent's identity and state (default: /var/lib/berth-agent)
  --name NAME                 host name to report (default: the machine's)
  --attribute KEY=VALUE       custom attribute, repeatable
  --availability-zone ZONE    value of ecs.availability-zone
  --drain-on-stop             a stop drains the instance first (berth-agent --drain-on-stop)
  --drain-timeout SECONDS     longest wait for that (default 300)
  --agent-arg ARG             any other berth-agent flag, repeatable (--agent-arg=--http-addr=0.0.0.0:7412)
package (default: the source tree this script is in):
  --from-wheel FILE           a berth wheel (pip wheel --no-deps .)
  --from-source DIR           a berth source tree
options:
  --python PYTHON             interpreter for the venv (default: python3)
  --no-docker                 never install docker.io
  --no-systemd                write the unit, never call systemctl (image builds)
  --root DIR                  install under DIR instead of / (tests, image builds)
  --uninstall                 stop and remove the service, venv and settings
  --purge                     with --uninstall: also the data dir and the agent's containers
EOF
}
die() { echo "install-agent.sh: $*" >&2; exit 2; }
say() { echo "install-agent.sh: $*"; }

root="" python=python3 wheel="" source="" uninstall=0 purge=0 systemd=1 docker_install=1
endpoint="" token_file="" cluster="" data_dir="" opts_given=0 drain=0 drain_timeout=""
name="" zone="" attributes=() agent_args=()
arg() { [ $# -ge 2 ] || die "$1 needs a value"; }
while [ $# -gt 0 ]; do
  case $1 in
    --endpoint) arg "$@"; endpoint=$2; shift ;;
    --join-token-file) arg "$@"; token_file=$2; shift ;;
    --cluster) arg "$@"; cluster=$2; shift ;;
    --data-dir) arg "$@"; data_dir=$2; shift ;;
    --name) arg "$@"; name=$2; opts_given=1; shift ;;
    --attribute) arg "$@"; attributes+=("$2"); opts_given=1; shift ;;
    --availability-zone) arg "$@"; zone=$2; opts_given=1; shift ;;
    --drain-on-stop) drain=1; opts_given=1 ;;
    --drain-timeout) arg "$@"; drain_timeout=$2; opts_given=1; shift ;;
    --agent-arg) arg "$@"; agent_args+=("$2"); opts_given=1; shift ;;
    --agent-arg=*) agent_args+=("${1#--agent-arg=}"); opts_given=1 ;;
    --from-wheel) arg "$@"; wheel=$2; shift ;;
    --from-source) arg "$@"; source=$2; shift ;;
    --python) arg "$@"; python=$2; shift ;;
    --no-docker) docker_install=0 ;;
    --no-systemd) systemd=0 ;;
    --root) arg "$@"; root=${2%/}; shift ;;
    --uninstall) uninstall=1 ;;
    --purge) purge=1 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
  shift
done

# Everything lives under $root ("" on a real host); the files written name the paths under it.
prefix=$root/opt/berth
etc=$root/etc/berth
unit_dir=$root/etc/systemd/system
unit=berth-agent.service
env_file=$etc/agent.env
systemctl() { if [ "$systemd" = 1 ]; then ${SYSTEMCTL:-command systemctl} "$@"; fi; }

[ -n "$root" ] || [ "$(id -u)" = 0 ] || die "run as root (or give --root DIR)"
[[ -z $root || ($root == /* && -d $root) ]] || die "--root '$root': not an absolute path to a directory"
[ "$purge" = 0 ] || [ "$uninstall" = 1 ] || die "--purge goes with --uninstall"

# A value of agent.env: KEY="value", read back without running the file.
env_value() { if [ -e "$env_file" ]; then sed -n "s/^$1=\"\(.*\)\"\$/\1/p" "$env_file" | tail -1; fi; }

uninstall() {
  local dir arn
  dir=$(env_value BERTH_DATA_DIR)
  # The stop is the agent's SIGTERM: with --drain-on-stop its service tasks move away first.
  if [ "$systemd" = 1 ] && [ -e "$unit_dir/$unit" ]; then
    systemctl disable --now "$unit" || true
  fi
  rm -f "$unit_dir/$unit"
  systemctl daemon-reload
  if [ -e "$unit_dir/berth-controlplane.service" ]; then
    say "kept $prefix: berth-controlplane.service uses it"
  else
    rm -rf "$prefix"
  fi
  rm -f "$env_file" "$etc/join-token"
  rmdir "$etc" 2>/dev/null || true
  if [ -z "$dir" ]; then
    return
  fi
  if [ "$purge" = 1 ]; then
    arn=$(sed -n 's/.*"container_instance_arn": *"\([^"]*\)".*/\1/p' "$dir/identity.json" 2>/dev/null || true)
    if [ -n "$arn" ] && command -v docker >/dev/null; then
      docker ps -aq --filter "label=berth.instance-arn=$arn" | xargs -r docker rm -f -v >/dev/null
      docker volume ls -q --filter "label=berth.instance-arn=$arn" | xargs -r docker volume rm -f >/dev/null
    fi
    rm -rf "$dir"
    say "removed; the cluster still lists the instance until you run:" \
      "berth deregister-container-instance --cluster <cluster> --container-instance ${arn:-<arn>} --force"
  else
    say "removed; kept $dir (the instance's identity: a new install comes back as the same instance;" \
      "--uninstall --purge removes it and the agent's containers)"
  fi
}

if [ "$uninstall" = 1 ]; then
  uninstall
  exit 0
fi

# -- settings: the installed ones, then the flags given --------------------------------------------
[ -z "$wheel" ] || [ -z "$source" ] || die "give --from-wheel or --from-source, not both"
endpoint=${endpoint:-$(env_value BERTH_ENDPOINT)}
cluster=${cluster:-$(env_value BERTH_CLUSTER)}
cluster=${cluster:-default}
data_dir=${data_dir:-$(env_value BERTH_DATA_DIR)}
data_dir=${data_dir:-$root/var/lib/berth-agent}
[ -n "$endpoint" ] || die "--endpoint HOST:PORT is needed (the control plane's gRPC address)"
[[ $endpoint =~ ^[A-Za-z0-9._:-]+:[0-9]+$|^\[[0-9a-fA-F:]+\]:[0-9]+$ ]] \
  || die "--endpoint '$endpoint': expected HOST:PORT"
[[ $cluster =~ ^[A-Za-z0-9_-]{1,255}$ ]] || die "--cluster '$cluster': letters, digits, - and _ (1 to 255)"
[[ $data_dir == /* ]] || die "--data-dir '$data_dir': must be an absolute path"
if [ -n "$token_file" ]; then
  [ -r "$token_file" ] || die "--join-token-file '$token_file': cannot read it"
  token=$(tr -d '[:space:]' <"$token_file")
  [ -n "$token" ] || die "--join-token-file '$token_file': the file is empty"
elif [ ! -s "$etc/join-token" ]; then
  die "--join-token-file FILE is needed (the control plane writes <data-dir>/join-token)"
fi
if [ "$opts_given" = 1 ]; then
  opts=()
  [ -z "$name" ] || opts+=(--name "$name")
  [ -z "$zone" ] || opts+=(--availability-zone "$zone")
  for a in "${attributes[@]}"; do
    [[ $a == ?*=* || $a =~ ^[^=]+$ ]] || die "--attribute '$a': expected KEY=VALUE"
    opts+=(--attribute "$a")
  done
  [ "$drain" = 0 ] || opts+=(--drain-on-stop)
  if [ -n "$drain_timeout" ]; then
    [[ $drain_timeout =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--drain-timeout '$drain_timeout': expected seconds"
    opts+=(--drain-timeout "$drain_timeout")
  fi
  opts+=("${agent_args[@]}")
  for o in "${opts[@]}"; do
    # agent.env is read by systemd and by this script: keep every word plain.
    [[ $o =~ ^[^[:space:]\"\'\\\$\`]+$ ]] || die "'$o': spaces, quotes, \\, \$ and \` are not allowed in agent flags"
  done
  agent_opts="${opts[*]}"
else
  agent_opts=$(env_value BERTH_AGENT_OPTS)
fi

# write_if_changed FILE MODE: stdin becomes FILE when it differs (status 0), else nothing (status 1).
write_if_changed() {
  local tmp
  tmp=$(mktemp "$1.XXXXXX")
  cat >"$tmp"
  chmod "$2" "$tmp"
  if [ -e "$1" ] && cmp -s "$tmp" "$1"; then
    rm -f "$tmp"
    return 1
  fi
  mv -f "$tmp" "$1"
}

# Which package, checked before anything is installed.
if [ -z "$wheel" ] && [ -z "$source" ]; then
  source=$(dirname "$here")
fi
if [ -n "$wheel" ]; then
  [[ $wheel == *.whl && -f $wheel ]] || die "--from-wheel '$wheel': not a wheel file"
  package=$(cd "$(dirname "$wheel")" && pwd)/$(basename "$wheel")
  key=$(sha256sum "$package" | cut -c1-16)
else
  [ -f "$source/pyproject.toml" ] || die "--from-source '$source': not a berth source tree"
  source=$(cd "$source" && pwd)
  key=$(cd "$source" && find pyproject.toml README.md berth controlplane agent -type f \
    ! -path '*/__pycache__/*' ! -name '*.pyc' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
fi

# -- Docker and Python -------------------------------------------------------------------------------
apt_install() {
  command -v apt-get >/dev/null || die "$* is missing and this is not a Debian-like system: install it"
  say "installing $*"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
if [ "$docker_install" = 1 ] && ! command -v dockerd >/dev/null; then
  apt_install docker.io
  systemctl enable --now docker.service
fi
if ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then
  [ "$python" = python3 ] || die "--python $python: it cannot make venvs (no ensurepip)"
  apt_install python3-venv
fi

# -- the package: a venv per package, /opt/berth/venv -> the current one -----------------------------
venv=$prefix/venvs/$key
upgraded=0 partial="" build=""
# A failed install leaves no half-made venv (nor our build copy) behind.
cleanup() {
  rm -rf "$build"
  if [ -n "$partial" ]; then
    rm -rf "$partial"
    rmdir "$prefix/venvs" "$prefix" 2>/dev/null || true
  fi
}
trap cleanup EXIT
if [ "$(readlink "$prefix/venv" 2>/dev/null)" != "venvs/$key" ] || [ ! -x "$venv/bin/berth-agent" ]; then
  mkdir -p "$prefix/venvs"
  rm -rf "$venv"
  partial=$venv
  "$python" -m venv "$venv"
  if [ -n "$wheel" ]; then
    "$venv/bin/pip" install -q --disable-pip-version-check "$package"
  else
    # Build from a copy, so that the source tree gets no build/ or egg-info of ours.
    build=$(mktemp -d)
    tar -C "$source" --exclude=.venv --exclude=.git --exclude='*.egg-info' --exclude=build -cf - \
      pyproject.toml README.md berth controlplane agent | tar -C "$build" -xf -
    "$venv/bin/pip" install -q --disable-pip-version-check "$build"
  fi
  "$venv/bin/berth-agent" --help >/dev/null
  if [ -e "$prefix/venv" ] && [ ! -L "$prefix/venv" ]; then
    mv "$prefix/venv" "$prefix/venvs/previous"  # a venv made by hand: replaced like any other
  fi
  ln -sfn "venvs/$key" "$prefix/venv.new"
  mv -Tf "$prefix/venv.new" "$prefix/venv"
  partial="" upgraded=1
fi
version=$("$prefix/venv/bin/python" -c 'from importlib.metadata import version; print(version("berth"))')

# -- settings, unit, data dir --------------------------------------------------------------------------
mkdir -p "$etc" "$unit_dir"
chmod 0755 "$etc"
changed=0
if [ -n "$token_file" ] && write_if_changed "$etc/join-token" 0600 <<<"$token"; then
  changed=1
fi
if write_if_changed "$env_file" 0644 <<EOF; then
# berth-agent settings, written by deploy/install-agent.sh: run it again to change them.
BERTH_ENDPOINT="$endpoint"
BERTH_CLUSTER="$cluster"
BERTH_JOIN_TOKEN_FILE="$etc/join-token"
BERTH_DATA_DIR="$data_dir"
BERTH_AGENT_OPTS="$agent_opts"
EOF
  changed=1
fi
if write_if_changed "$unit_dir/$unit" 0644 \
  < <(sed -e "s#/opt/berth/#$prefix/#g" -e "s#/etc/berth/#$etc/#g" "$here/systemd/$unit"); then
  changed=1
  systemctl daemon-reload
fi
mkdir -p "$data_dir"
chmod 0700 "$data_dir"

# -- the service ---------------------------------------------------------------------------------------
systemctl enable --quiet "$unit"
if [ "$systemd" = 0 ] && { [ "$upgraded" = 1 ] || [ "$changed" = 1 ]; }; then
  say "berth-agent $version installed (no systemd: start it as the unit's ExecStart says)"
elif [ "$systemd" = 0 ]; then
  say "berth-agent $version is installed and up to date"
elif [ "$upgraded" = 1 ] || [ "$changed" = 1 ]; then
  if systemctl is-active --quiet "$unit"; then
    # SIGUSR1 first: the agent leaves without draining or saying goodbye (the restart's SIGTERM
    # that follows changes that no more), so its tasks stay through an upgrade or a change of
    # settings and the new agent adopts them.
    systemctl kill --kill-whom=main --signal=SIGUSR1 "$unit"
  fi
  systemctl restart "$unit"
  say "berth-agent $version installed and (re)started (journalctl -u berth-agent -f follows it)"
elif ! systemctl is-active --quiet "$unit"; then
  systemctl start "$unit"
  say "berth-agent $version started"
else
  say "berth-agent $version is installed and up to date"
fi
# Older venvs go once the agent runs from the new one.
for old in "$prefix"/venvs/*; do
  [ "$old" = "$venv" ] || rm -rf "$old"
done
