"""From HAProxy's servers as they are to the targets a config wants: slot assignment and the runtime
API commands. Pure: no I/O, no clock (pass `now`).

Each backend has a fixed number of server slots. A target keeps the slot it is in; a new target
takes the lowest free slot (else one holding a target that is no longer wanted). A slot changes
target by going to maint, getting the new address, leaving maint for drain, being marked down (so
it is checked `rise` times before it takes traffic, ELB's "initial") and set ready. A draining
target is set to `drain` (no new requests, in-flight ones finish) and its slot is freed (maint,
address cleared) once its drain deadline passes or it leaves the config. None of this reloads
HAProxy; only a backend needing more slots than it has does (`needs_more_slots`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

from agent.lb.config import FREE_ADDRESS, Slot
from agent.lb.names import server_name
from berth.v1 import elb_pb2

READY, DRAIN, MAINT = "ready", "drain", "maint"
WEIGHT = 100


@dataclass(frozen=True)
class ServerState:
    """One server slot as HAProxy reports it (`show stat`)."""

    slot: int  # 1-based: srv<slot>
    address: str
    port: int
    admin: str  # ready | drain | maint
    weight: int = WEIGHT  # the user weight (uweight), not the slow-start-scaled one
    status: str = ""  # UP, DOWN, MAINT, DRAIN, NOLB, "UP 1/3", ...
    check_status: str = ""  # INI, L4OK, L7OK, L7STS, L4TOUT, L4CON, ...
    check_code: str = ""
    check_desc: str = ""

    @property
    def free(self) -> bool:
        return self.address == FREE_ADDRESS and self.port == 0


@dataclass(frozen=True)
class Want:
    """A target as a backend is to serve it."""

    target_id: str
    address: str
    port: int
    draining: bool = False
    task_arn: str = ""

    @property
    def endpoint(self) -> tuple[str, int]:
        return (self.address, self.port)


@dataclass(frozen=True)
class BackendPlan:
    slots: list[Slot]  # what each slot is to hold (index 0 is srv1)
    owners: dict[int, Want]  # slot number -> its target
    commands: list[str]


def servable(target: elb_pb2.NodeTarget) -> bool:
    """An IPv4 address and a port HAProxy can connect to; anything else is left out (one bad target
    must not stop the rest of the config from being served)."""
    try:
        ipaddress.IPv4Address(target.address)
    except ValueError:
        return False
    return 1 <= target.port <= 65535 and target.address != FREE_ADDRESS


def wanted(group: elb_pb2.NodeTargetGroup, now: float) -> list[Want]:
    """The targets a group is to serve now: draining ones until their deadline, one per address:port
    (a serving entry wins over a draining one); unservable ones left out."""
    out: dict[tuple[str, int], Want] = {}
    for t in group.targets:
        if t.draining and t.drain_deadline and t.drain_deadline <= now:
            continue
        if not servable(t):
            continue
        want = Want(t.id, t.address, t.port, t.draining, t.task_arn)
        seen = out.get(want.endpoint)
        if seen is None or (seen.draining and not want.draining):
            out[want.endpoint] = want
    return list(out.values())


def assign(current: Sequence[ServerState], wants: Sequence[Want], size: int) -> dict[int, Want]:
    """Slot number -> target: targets stay where they are, new ones take free slots first."""
    if len(wants) > size:
        raise ValueError(f"{len(wants)} targets do not fit in {size} slots")
    by_endpoint = {w.endpoint: w for w in wants}
    owners: dict[int, Want] = {}
    placed: set[tuple[str, int]] = set()
    for s in sorted(current, key=lambda s: s.slot):
        endpoint = (s.address, s.port)
        if s.slot <= size and endpoint in by_endpoint and endpoint not in placed:
            owners[s.slot] = by_endpoint[endpoint]
            placed.add(endpoint)
    known = {s.slot: s for s in current}
    # Free slots first (an empty slot, or one HAProxy does not have yet), then those holding leftovers.
    candidates = sorted(
        (n for n in range(1, size + 1) if n not in owners),
        key=lambda n: (0 if n not in known or known[n].free else 1, n),
    )
    spare = iter(candidates)
    for w in wants:
        if w.endpoint not in placed:
            owners[next(spare)] = w
            placed.add(w.endpoint)
    return owners


def plan_backend(
    backend: str, current: Sequence[ServerState], wants: Sequence[Want], size: int, *, checks: bool
) -> BackendPlan:
    """The slots and the runtime API commands that turn `current` into `wants` (size ≥ len(wants))."""
    owners = assign(current, wants, size)
    known = {s.slot: s for s in current}
    commands: list[str] = []
    slots: list[Slot] = []
    for n in range(1, size + 1):
        want = owners.get(n)
        cur = known.get(n)
        if cur is not None:
            commands += _slot_commands(f"{backend}/{server_name(n)}", cur, want, checks=checks)
        if want is None:
            slots.append(Slot())
        else:
            # A slot whose target stays keeps its state through a reload; a new one is written
            # disabled and brought up through the runtime API after the reload.
            same = cur is not None and (cur.address, cur.port) == want.endpoint and cur.admin != MAINT
            slots.append(Slot(want.address, want.port, enabled=same))
    return BackendPlan(slots, owners, commands)


def _slot_commands(server: str, cur: ServerState, want: Want | None, *, checks: bool) -> list[str]:
    out: list[str] = []
    if want is None:
        if cur.admin != MAINT:
            out.append(f"set server {server} state maint")
        if not cur.free:
            out.append(f"set server {server} addr {FREE_ADDRESS} port 0")
        return out
    admin = cur.admin
    if (cur.address, cur.port) != want.endpoint:
        if admin != MAINT:
            out.append(f"set server {server} state maint")
            admin = MAINT
        out.append(f"set server {server} addr {want.address} port {want.port}")
    if cur.weight != WEIGHT:
        out.append(f"set server {server} weight {WEIGHT}")
    target = DRAIN if want.draining else READY
    if admin == MAINT and checks:
        # HAProxy puts a server leaving maint straight UP (its health set to `rise`, "start OK but
        # check immediately"), overriding a `health down` given in maint: it would take traffic
        # unchecked and be healthy after one check. Leaving maint for drain first, then marking it
        # down, keeps it DOWN until `rise` checks pass (ELB's healthy threshold).
        out.append(f"set server {server} state drain")
        out.append(f"set server {server} health down")
        admin = DRAIN
    if admin != target:
        out.append(f"set server {server} state {target}")
    return out


def needs_more_slots(size: int, wants: Sequence[Want]) -> bool:
    return len(wants) > size


def admin_state(status: str) -> str:
    """The admin side of a `show stat` status: MAINT (any kind) → maint, DRAIN → drain, else ready."""
    s = status.upper()
    if s.startswith("MAINT"):
        return MAINT
    if s.startswith("DRAIN"):
        return DRAIN
    return READY
