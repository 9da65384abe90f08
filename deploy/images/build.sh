#!/usr/bin/env bash
# Build the local images berth's tests, tour and benchmarks use, from files on this machine
# (no registry is reachable): berth/busybox, berth/pause, berth/etcd. Skips images that exist
# unless FORCE=1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
docker info >/dev/null 2>&1 || { echo "docker is not running: images not built" >&2; exit 0; }

build() {  # name context-dir
  if [ "${FORCE:-0}" != 1 ] && docker image inspect "$1" >/dev/null 2>&1; then return; fi
  echo "building $1"
  docker build -q -t "$1" "$2" >/dev/null 2>"$ctx/build.err" || { cat "$ctx/build.err" >&2; exit 1; }
}

ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT

busybox=$(command -v busybox || true)
[ -n "$busybox" ] || busybox=/bin/busybox
mkdir -p "$ctx/busybox" && cp "$here/busybox/Dockerfile" "$busybox" "$ctx/busybox/"
build berth/busybox:latest "$ctx/busybox"
build berth/pause:latest "$here/pause"

if command -v etcd >/dev/null; then
  mkdir -p "$ctx/etcd"
  cp "$here/etcd/Dockerfile" "$(command -v etcd)" "$ctx/etcd/"
  cp -L /lib/x86_64-linux-gnu/libc.so.6 /lib64/ld-linux-x86-64.so.2 "$ctx/etcd/"
  build berth/etcd:latest "$ctx/etcd"
fi
