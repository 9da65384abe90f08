# berth: `make run` brings up a single-machine berth; `make test` runs the whole test suite.
# Both install what they need (a venv in .venv; on Debian as root also docker.io, etcd-server and
# busybox-static) and start dockerd and etcd when they are not running.

SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
DATA_DIR ?= $(HOME)/.berth
# The load balancer `make run` serves with a local berth-lb, when haproxy is installed (LB= for none).
LB ?= $(if $(wildcard /usr/sbin/haproxy)$(shell command -v haproxy 2>/dev/null),web,)
# The etcd and dockerd that `make test` uses (started by deploy/dev/services.sh when absent).
export BERTH_TEST_ETCD ?= 127.0.0.1:2379
export TESTCONTAINERS_RYUK_DISABLED := true
export TESTCONTAINERS_CONNECTION_MODE := docker_host
PYTEST_ARGS ?=

.DEFAULT_GOAL := help

.PHONY: help install system-deps services images run test test-unit lint proto check-proto bench fuzz soak chaos clean

help: ## Show this help
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}'

install: system-deps $(VENV)/.installed ## Create .venv and install berth with its dev dependencies

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

system-deps: ## Install docker.io, etcd-server, busybox-static (Debian, as root) when missing
	@deploy/dev/install-system.sh

services: install ## Start dockerd and etcd when they are not running
	@deploy/dev/services.sh start

images: services ## Build the local images (busybox, pause, etcd) that tasks and tests use
	@deploy/images/build.sh

run: install images ## Bring up a single-machine berth (etcd, control plane, agents; berth-lb for load balancer LB=web when haproxy is installed) in the foreground
	$(BIN)/berth up --data-dir $(DATA_DIR) $(if $(LB),--lb $(LB))

test: install services images ## Run the whole test suite (unit, integration, end-to-end)
	$(BIN)/pytest $(PYTEST_ARGS)

test-unit: install ## Run the fast unit tests only
	$(BIN)/pytest tests/unit $(PYTEST_ARGS)

lint: install ## ruff and mypy
	$(BIN)/ruff check berth controlplane agent tests bench
	$(BIN)/ruff format --check berth controlplane agent tests bench
	$(BIN)/mypy

proto: install ## Regenerate berth/v1 from proto/
	$(PY) -m grpc_tools.protoc -Iproto --python_out=. --pyi_out=. --grpc_python_out=. proto/berth/v1/*.proto

check-proto: install ## Fail when berth/v1 is stale against proto/
	@tmp=$$(mktemp -d) && \
	$(PY) -m grpc_tools.protoc -Iproto --python_out=$$tmp --pyi_out=$$tmp --grpc_python_out=$$tmp proto/berth/v1/*.proto && \
	for f in $$tmp/berth/v1/*; do cmp -s $$f berth/v1/$$(basename $$f) || { echo "stale: berth/v1/$$(basename $$f) (run make proto)"; rm -rf $$tmp; exit 1; }; done && \
	for f in berth/v1/*_pb2*; do test -e $$tmp/berth/v1/$$(basename $$f) || { echo "orphan: $$f"; rm -rf $$tmp; exit 1; }; done; \
	rm -rf $$tmp; echo "generated code is up to date"

bench: install services images ## Run the benchmarks and print their figures
	$(PY) -m bench $(BENCH_ARGS)

fuzz: install services ## The long fuzz run: 10,000+ random requests over every RPC and the ECS endpoint
	$(PY) -m bench fuzz

soak: install services images ## The soak: 32 clients mixing task calls for 60 s on a real agent
	$(PY) -m bench soak

chaos: install services images ## Rounds of kill -9 (agents, leader, etcd members) and partitions, checked
	$(PY) -m bench chaos

clean: ## Remove the venv and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
