#!/usr/bin/env bash
# Start the services berth's tests use when they are not already running: dockerd, and one etcd on
# $BERTH_TEST_ETCD (default 127.0.0.1:2379) with its data under ${BERTH_STATE:-/tmp/berth-dev}.
# Usage: services.sh start|stop
set -euo pipefail
state=${BERTH_STATE:-/tmp/berth-dev}
etcd_addr=${BERTH_TEST_ETCD:-127.0.0.1:2379}
etcd_port=${etcd_addr##*:}
mkdir -p "$state"

docker_up() { docker info >/dev/null 2>&1; }
etcd_up() { curl -sf "http://$etcd_addr/health" >/dev/null 2>&1 || \
  python3 -c "import socket,sys; s=socket.create_connection(('${etcd_addr%:*}', $etcd_port), 1)" 2>/dev/null; }

start() {
  if ! docker_up; then
    if command -v dockerd >/dev/null; then
      echo "starting dockerd (log: $state/dockerd.log)"
      nohup dockerd >"$state/dockerd.log" 2>&1 &
      for _ in $(seq 1 100); do docker_up && break; sleep 0.2; done
      docker_up || { echo "dockerd did not start, see $state/dockerd.log" >&2; tail -20 "$state/dockerd.log" >&2; exit 1; }
    else
      echo "no dockerd here: tests that need Docker will skip (or fail under BERTH_REQUIRE_INFRA=1)" >&2
    fi
  fi
  if ! etcd_up; then
    if command -v etcd >/dev/null; then
      echo "starting etcd on $etcd_addr (log: $state/etcd.log)"
      nohup etcd --name berth-dev --data-dir "$state/etcd" \
        --listen-client-urls "http://$etcd_addr" --advertise-client-urls "http://$etcd_addr" \
        --listen-peer-urls "http://127.0.0.1:$((etcd_port + 1))" \
        --initial-advertise-peer-urls "http://127.0.0.1:$((etcd_port + 1))" \
        --initial-cluster "berth-dev=http://127.0.0.1:$((etcd_port + 1))" \
        --auto-compaction-retention 1h --quota-backend-bytes 4294967296 \
        >"$state/etcd.log" 2>&1 &
      for _ in $(seq 1 100); do etcd_up && break; sleep 0.1; done
      etcd_up || { echo "etcd did not start, see $state/etcd.log" >&2; tail -20 "$state/etcd.log" >&2; exit 1; }
    else
      echo "no etcd here: tests that need etcd will skip (or fail under BERTH_REQUIRE_INFRA=1)" >&2
    fi
  fi
}

stop() {
  pkill -f "etcd --name berth-dev" || true
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
