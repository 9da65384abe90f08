#!/usr/bin/env bash
# Install the system packages berth's tests and `berth up` need, when missing (Debian/Ubuntu, as root).
# Elsewhere it only says what is missing.
set -euo pipefail
need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v etcd >/dev/null || need+=(etcd-server)
# The test images hold a static busybox; Debian's busybox-static provides /bin/busybox.
dpkg -s busybox-static >/dev/null 2>&1 || [ -e /usr/share/doc/busybox-static ] || need+=(busybox-static)
# Prometheus and promtool for the monitoring tests (deploy/prometheus); the package does not start it.
command -v promtool >/dev/null || need+=(prometheus)
# systemd-analyze verifies the units in deploy/systemd (tests/e2e/test_install_agent.py).
command -v systemd-analyze >/dev/null || need+=(systemd)
# iptables partitions an agent in the chaos tests (tests/support/chaos.py).
command -v iptables >/dev/null || need+=(iptables)
# HAProxy for berth-lb, the load balancer data plane (agent/lb); berth-lb runs its own, not the unit.
command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || need+=(haproxy)
# A headless Chromium and its WebDriver for the web console tests (tests/integration/console).
command -v chromium >/dev/null || need+=(chromium)
command -v chromedriver >/dev/null || need+=(chromium-driver)
# A real image registry (distribution 2.x) with htpasswd auth for the repositoryCredentials tests
# (tests/support/registry.py); the tests start their own, the packaged unit stays off.
command -v docker-registry >/dev/null || need+=(docker-registry)
command -v htpasswd >/dev/null || need+=(apache2-utils)
disable_haproxy_unit() {
  # Debian's package enables and starts haproxy.service on its /etc/haproxy/haproxy.cfg; berth-lb
  # starts HAProxy itself with its own config, so the packaged unit stays off.
  if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    systemctl disable --now haproxy.service >/dev/null 2>&1 || true
    # The same for docker-registry.service (:5000): the tests run their own registries.
    systemctl disable --now docker-registry.service >/dev/null 2>&1 || true
  elif [ -x /etc/init.d/haproxy ]; then
    /etc/init.d/haproxy stop >/dev/null 2>&1 || true
    command -v update-rc.d >/dev/null && update-rc.d haproxy disable >/dev/null 2>&1 || true
  fi
}
if [ ${#need[@]} -eq 0 ]; then
  [ "$(id -u)" = 0 ] && disable_haproxy_unit
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # docker.io as these machines were checked with it (recommends included); the rest without.
  for pkg in "${need[@]}"; do
    if [ "$pkg" = docker.io ]; then
      apt-get install -y -qq docker.io >/dev/null
    else
      apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null
    fi
  done
  disable_haproxy_unit
else
  echo "missing system packages: ${need[*]} (install them, or run as root on Debian)" >&2
fi
