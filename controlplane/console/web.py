"""The console's HTTP side: login, pages, live fragments (htmx polling), server-sent event streams
(logs, events) and the actions, mounted under /ui on the control plane's HTTP port.

Every read and every action is an API call through `Api.unary`/`Api.stream`, the chain the gRPC
and ECS JSON endpoints use: the caller is the access key that logged in, authorization, metrics and
logs are the same, and what the console can do is what that key can do.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import jinja2
import structlog
from aiohttp import web

from berth import errors, jsonmsg
from berth.cli.status import summary
from controlplane.api.dispatch import Api, Method
from controlplane.auth import Authenticator, Principal, principal_of
from controlplane.console import session, views

log = structlog.get_logger("berth.console")

HERE = Path(__file__).parent
PAGE_SIZE = 100  # DescribeTasks / DescribeContainerInstances take at most 100
SERVICES_PER_CALL = 10  # DescribeServices takes at most 10
KEEPALIVE_SECONDS = 15.0
LOG_TAIL = 300
EVENTS_SHOWN = 100
TASKS_SHOWN = 200  # a task list shows this many, and says how many there are
STOPPED_EXAMINED = 1000  # stopped tasks the overview looks through for recent failures


@dataclass(frozen=True)
class Caller:
    principal: Principal
    ticket: session.Ticket
    secret: str
    source: str = ""  # the browser's address (the audit trail's source address)

    @property
    def csrf(self) -> str:
        return session.csrf_token(self.ticket, self.secret)

    async def authenticate(self) -> Principal:
        return self.principal


class Console:
    def __init__(
        self, api: Api, authenticator: Authenticator, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.api = api
        self.authenticator = authenticator
        self.clock = clock
        self.history = views.History()
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals.update(views=views, age=views.age, short=views.short, revision=views.revision)
        self.env.filters["clock"] = lambda t: time.strftime("%H:%M:%S", time.localtime(t)) if t else "-"
        self.env.filters["seconds"] = _seconds
        self._methods: dict[str, Method] = {
            m.name: m for m in api.methods() if m.service in ("berth.v1.ECS", "berth.v1.Berth")
        }

    def add_routes(self, app: web.Application) -> None:
        r = app.router
        r.add_get("/ui", self.root)
        r.add_get("/ui/", self.clusters)
        r.add_get("/ui/login", self.login_form)
        r.add_post("/ui/login", self.login)
        r.add_post("/ui/logout", self.logout)
        r.add_static("/ui/static/", HERE / "static")
        base = "/ui/clusters/{cluster}"
        r.add_get(base, self.cluster)
        r.add_get(base + "/live", self.cluster)
        r.add_get(base + "/services/{service}", self.service)
        r.add_get(base + "/services/{service}/live", self.service)
        r.add_post(base + "/services/{service}/scale", self.scale)
        r.add_post(base + "/services/{service}/redeploy", self.redeploy)
        r.add_get(base + "/tasks", self.tasks)
        r.add_get(base + "/tasks/live", self.tasks)
        r.add_get(base + "/tasks/{task}", self.task)
        r.add_get(base + "/tasks/{task}/live", self.task)
        r.add_get(base + "/tasks/{task}/logs", self.logs)
        r.add_post(base + "/tasks/{task}/stop", self.stop_task)
        r.add_get(base + "/instances", self.instances)
        r.add_get(base + "/instances/live", self.instances)
        r.add_post(base + "/instances/{instance}/state", self.instance_state)
        r.add_get(base + "/events", self.events_page)
        r.add_get(base + "/events/stream", self.events)

    # -- sessions --------------------------------------------------------------------------------

    async def root(self, _: web.Request) -> web.Response:
        return _redirect("/ui/")

    async def login_form(self, request: web.Request) -> web.Response:
        return self._render("login.html", next=_safe_next(request.query.get("next")), error="")

    async def login(self, request: web.Request) -> web.Response:
        _check_origin(request)
        form = await request.post()
        key_id = str(form.get("accessKeyId", "")).strip()
        secret = str(form.get("secretAccessKey", "")).strip()
        target = _safe_next(str(form.get("next", "")))
        key = await self.authenticator.access_key(key_id) if key_id else None
        if key is None or not hmac.compare_digest(key.secret_access_key.encode(), secret.encode()):
            log.info("console_login_refused", access_key_id=key_id[:24])
            await asyncio.sleep(0.5)  # a guess costs time
            return self._render(
                "login.html", status=401, next=target, error="The access key ID or secret is not valid."
            )
        ticket = session.issue(key.access_key_id, key.secret_access_key, self.clock())
        log.info("console_login", principal=principal_of(key).arn)
        response = _redirect(target)
        response.set_cookie(
            session.COOKIE,
            ticket.value,
            max_age=session.LIFETIME_SECONDS,
            path="/ui",
            httponly=True,
            samesite="Strict",
            secure=request.secure,
        )
        return response

    async def logout(self, request: web.Request) -> web.Response:
        await self._caller(request, mutating=True)
        response = _redirect("/ui/login")
        response.del_cookie(session.COOKIE, path="/ui")
        return response

    async def _caller(self, request: web.Request, *, mutating: bool = False) -> Caller:
        """The logged-in caller, or a redirect to the login page. Mutating requests must come from
        this origin and carry the session's CSRF token."""
        ticket = session.parse(request.cookies.get(session.COOKIE))
        key = await self.authenticator.access_key(ticket.access_key_id) if ticket else None
        if ticket is None or key is None or not session.verify(ticket, key.secret_access_key, self.clock()):
            raise _to_login(request)
        caller = Caller(principal_of(key), ticket, key.secret_access_key, request.remote or "")
        if mutating:
            _check_origin(request)
            form = await request.post()
            presented = request.headers.get("X-CSRF-Token") or str(form.get("csrf", ""))
            if not session.csrf_ok(ticket, key.secret_access_key, presented):
                raise web.HTTPForbidden(text="the form's CSRF token is missing or stale: reload the page")
        return caller

    # -- API calls -------------------------------------------------------------------------------

    async def call(self, caller: Caller, name: str, **fields: Any) -> Any:
        method = self._methods[name]
        request = jsonmsg.parse(fields, method.request_cls)
        return await self.api.unary(
            method, request, caller.authenticate, uuid.uuid4().hex, source=caller.source
        )

    def stream(self, caller: Caller, name: str, **fields: Any) -> AsyncIterator[Any]:
        method = self._methods[name]
        request = jsonmsg.parse(fields, method.request_cls)
        return self.api.stream(method, request, caller.authenticate, uuid.uuid4().hex, source=caller.source)

    async def list_all(self, caller: Caller, name: str, field: str, **fields: Any) -> list[Any]:
        items: list[Any] = []
        token = ""
        while True:
            page = await self.call(caller, name, **fields, nextToken=token)
            items.extend(getattr(page, field))
            token = page.next_token
            if not token:
                return items

    async def described(
        self, caller: Caller, name: str, field: str, ref: str, arns: list[str], cluster: str, per_call: int
    ) -> list[Any]:
        out: list[Any] = []
        for i in range(0, len(arns), per_call):
            page = await self.call(caller, name, cluster=cluster, **{ref: arns[i : i + per_call]})
            out.extend(getattr(page, field))
        return out

    async def cluster_services(self, caller: Caller, cluster: str) -> list[Any]:
        arns = await self.list_all(caller, "ListServices", "service_arns", cluster=cluster)
        found = await self.described(
            caller, "DescribeServices", "services", "services", arns, cluster, SERVICES_PER_CALL
        )
        return sorted(found, key=lambda s: s.service_name)

    async def cluster_instances(self, caller: Caller, cluster: str) -> list[Any]:
        arns = await self.list_all(
            caller, "ListContainerInstances", "container_instance_arns", cluster=cluster
        )
        found = await self.described(
            caller,
            "DescribeContainerInstances",
            "container_instances",
            "containerInstances",
            arns,
            cluster,
            PAGE_SIZE,
        )
        return sorted(found, key=lambda i: i.ec2_instance_id)

    async def cluster_tasks(
        self, caller: Caller, cluster: str, desired: str, service: str = "", limit: int = TASKS_SHOWN
    ) -> tuple[list[Any], int]:
        """Up to `limit` tasks (newest first) and how many there are: a page of a large service
        stays quick."""
        arns = await self.list_all(
            caller, "ListTasks", "task_arns", cluster=cluster, desiredStatus=desired, serviceName=service
        )
        found = await self.described(
            caller, "DescribeTasks", "tasks", "tasks", arns[:limit], cluster, PAGE_SIZE
        )
        return sorted(found, key=lambda t: t.created_at, reverse=True), len(arns)

    async def host_names(self, caller: Caller, cluster: str, tasks: list[Any]) -> dict[str, str]:
        arns = sorted({t.container_instance_arn for t in tasks if t.container_instance_arn})
        found = await self.described(
            caller,
            "DescribeContainerInstances",
            "container_instances",
            "containerInstances",
            arns,
            cluster,
            PAGE_SIZE,
        )
        return {i.container_instance_arn: i.ec2_instance_id for i in found}

    # -- pages -----------------------------------------------------------------------------------

    async def clusters(self, request: web.Request) -> web.Response:
        caller = await self._caller(request)
        try:
            arns = await self.list_all(caller, "ListClusters", "cluster_arns")
            found = []
            for i in range(0, len(arns), PAGE_SIZE):
                found += (
                    await self.call(caller, "DescribeClusters", clusters=arns[i : i + PAGE_SIZE])
                ).clusters
        except errors.BerthError as e:
            return self._error(request, caller, e)
        return self._render("clusters.html", me=caller, clusters=sorted(found, key=lambda c: c.cluster_name))

    async def cluster(self, request: web.Request) -> web.Response:
        caller = await self._caller(request)
        name = request.match_info["cluster"]
        try:
            described = await self.call(caller, "DescribeClusters", clusters=[name])
            if not described.clusters:
                raise errors.NotFound(f"cluster {name!r} not found", ecs_type="ClusterNotFoundException")
            services = await self.cluster_services(caller, name)
            instances = await self.cluster_instances(caller, name)
            stopped, _ = await self.cluster_tasks(caller, name, "STOPPED", limit=STOPPED_EXAMINED)
        except errors.BerthError as e:
            return self._error(request, caller, e)
        now = self.clock()
        data = summary(described.clusters[0], services, instances, stopped, now)
        return self._page(
            request,
            "cluster.html",
            me=caller,
            cluster=name,
            data=data,
            services=services,
            instances=instances,
            now=now,
        )

    async def service(self, request: web.Request) -> web.Response:
        caller = await self._caller(request)
        cluster, name = request.match_info["cluster"], request.match_info["service"]
        try:
            found = await self.call(caller, "DescribeServices", cluster=cluster, services=[name])
            if not found.services:
                raise errors.NotFound(f"service {name!r} not found in cluster {cluster!r}")
            service = found.services[0]
            tasks, total = await self.cluster_tasks(caller, cluster, "RUNNING", service.service_name)
            hosts = await self.host_names(caller, cluster, tasks)
            samples = await self._utilization(caller, cluster, service)
        except errors.BerthError as e:
            return self._error(request, caller, e)
        return self._page(
            request,
            "service.html",
            me=caller,
            cluster=cluster,
            service=service,
            deployments=views.active_deployments(service),
            tasks=tasks,
            total=total,
            hosts=hosts,
            samples=samples,
            now=self.clock(),
        )

    async def _utilization(self, caller: Caller, cluster: str, service: Any) -> list[views.Sample]:
        key = service.service_arn
        now = self.clock()
        if self.history.due(key, now):
            answer = await self.call(
                caller, "GetServiceUtilization", cluster=cluster, services=[service.service_arn]
            )
            for u in answer.services:
                cpu = u.cpu_utilization_percent if u.HasField("cpu_utilization_percent") else None
                memory = u.memory_utilization_percent if u.HasField("memory_utilization_percent") else None
                self.history.record(key, views.Sample(now, cpu, memory))
        return self.history.samples(key)

    async def tasks(self, request: web.Request) -> web.Response:
        caller = await self._caller(request)
        cluster = request.match_info["cluster"]
        desired = "STOPPED" if request.query.get("status") == "STOPPED" else "RUNNING"
        try:
            tasks, total = await self.cluster_tasks(caller, cluster, desired)
            hosts = await self.host_names(caller, cluster, tasks)
        except errors.BerthError as e:
            return self._error(request, caller, e)
        return self._page(
            request,
            "tasks.html",
            me=caller,
            cluster=cluster,
            desired=desired,
            tasks=tasks,
            total=total,
            hosts=hosts,
            now=self.clock(),
        )

    async def task(self, request: web.Request) -> web.Response:
        caller = await self._caller(request)
        cluster, ident = request.match_info["cluster"], request.match_info["task"]
        try:
            found = await self.call(caller, "DescribeTasks", cluster=cluster, tasks=[ident])
            if not found.tasks:
                raise errors.NotFound(f"task {ident!r} not found in cluster {cluster!r}")
            task = found.tasks[0]
            hosts = await self.host_names(caller, cluster, [task])
        except errors.BerthError as e:
            return self._error(request, caller, e)
        now = self.clock()
        return self._page(
            request,
            "task.html",
            me=caller,
            cluster=cluster,
            task=task,
            host=hosts.get(task.container_instance_arn, ""),
            phases=views.phases(task, now),
            now=now,
        )

    async def instances(self, request: web.Request) -> web.Response:
        caller = await self._caller(request)
        cluster = request.match_info["cluster"]
        try:
            instances = await self.cluster_instances(caller, cluster)
        except errors.BerthError as e:
            return self._error(request, caller, e)
        return self._page(
            request, "instances.html", me=caller, cluster=cluster, instances=instances, now=self.clock()
        )

    async def events_page(self, request: web.Request) -> web.Response:
        caller = await self._caller(request)
        cluster = request.match_info["cluster"]
        return self._render("events.html", me=caller, cluster=cluster)

    # -- streams ---------------------------------------------------------------------------------

    async def logs(self, request: web.Request) -> web.StreamResponse:
        """A task's log lines as server-sent events: the last LOG_TAIL, then new ones as they come;
        an `end` event when the task's containers have stopped."""
        caller = await self._caller(request)
        cluster, ident = request.match_info["cluster"], request.match_info["task"]

        async def lines() -> AsyncIterator[tuple[str, str]]:
            try:
                async for batch in self.stream(
                    caller, "GetTaskLogs", cluster=cluster, task=ident, tail=LOG_TAIL, follow=True
                ):
                    if batch.events:
                        yield "line", self._fragment("_loglines.html", events=batch.events)
                yield "end", self._fragment("_logend.html", text="end of the logs: the task has stopped")
            except errors.BerthError as e:
                yield "end", self._fragment("_logend.html", text=f"logs unavailable: {e.message}")

        return await self._sse(request, lines())

    async def events(self, request: web.Request) -> web.StreamResponse:
        """The cluster's events as server-sent events: a `reset` with the latest EVENTS_SHOWN, then
        each new one."""
        caller = await self._caller(request)
        cluster = request.match_info["cluster"]

        async def items() -> AsyncIterator[tuple[str, str]]:
            try:
                recent: deque[Any] = deque(maxlen=EVENTS_SHOWN)
                async for event in self.stream(caller, "WatchEvents", cluster=cluster, fromOldest=True):
                    recent.append(event)
                rows = [views.event_line(e) for e in reversed(recent)]
                yield (
                    "reset",
                    self._fragment("_events.html", rows=rows, times=[e.time for e in reversed(recent)]),
                )
                after = recent[-1].id if recent else ""
                async for event in self.stream(
                    caller, "WatchEvents", cluster=cluster, afterId=after, follow=True
                ):
                    yield (
                        "event",
                        self._fragment("_events.html", rows=[views.event_line(event)], times=[event.time]),
                    )
            except errors.BerthError as e:
                yield "failed", self._fragment("_logend.html", text=f"events unavailable: {e.message}")

        return await self._sse(request, items())

    async def _sse(self, request: web.Request, items: AsyncIterator[tuple[str, str]]) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream",
                "Cache-Control": "no-cache",
                "X-Accel-Buffering": "no",
            }
        )
        await response.prepare(request)
        queue: asyncio.Queue[tuple[str, str] | None] = asyncio.Queue(maxsize=64)

        async def pump() -> None:
            try:
                async for item in items:
                    await queue.put(item)
            finally:
                await queue.put(None)

        producer = asyncio.create_task(pump())
        try:
            while True:
                try:
                    item = await asyncio.wait_for(queue.get(), KEEPALIVE_SECONDS)
                except TimeoutError:
                    await response.write(b": keepalive\n\n")  # finds out when the browser has gone
                    continue
                if item is None:
                    break
                name, html = item
                data = "".join(f"data: {line}\n" for line in html.splitlines() or [""])
                await response.write(f"event: {name}\n{data}\n".encode())
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            producer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await producer
        return response

    # -- actions ---------------------------------------------------------------------------------

    async def scale(self, request: web.Request) -> web.Response:
        caller = await self._caller(request, mutating=True)
        cluster, name = request.match_info["cluster"], request.match_info["service"]
        raw = str((await request.post()).get("desiredCount", "")).strip()
        back = f"/ui/clusters/{quote(cluster)}/services/{quote(name)}"
        if not raw.isdigit():
            return _redirect(back, error=f"desiredCount must be a whole number ≥ 0, not {raw!r}")
        return await self._act(
            back,
            f"desired count of {name} set to {raw}",
            self.call(caller, "UpdateService", cluster=cluster, service=name, desiredCount=int(raw)),
        )

    async def redeploy(self, request: web.Request) -> web.Response:
        caller = await self._caller(request, mutating=True)
        cluster, name = request.match_info["cluster"], request.match_info["service"]
        return await self._act(
            f"/ui/clusters/{quote(cluster)}/services/{quote(name)}",
            f"new deployment of {name} started",
            self.call(caller, "UpdateService", cluster=cluster, service=name, forceNewDeployment=True),
        )

    async def stop_task(self, request: web.Request) -> web.Response:
        caller = await self._caller(request, mutating=True)
        cluster, ident = request.match_info["cluster"], request.match_info["task"]
        return await self._act(
            f"/ui/clusters/{quote(cluster)}/tasks/{quote(ident)}",
            f"task {views.short(ident)} is stopping",
            self.call(
                caller,
                "StopTask",
                cluster=cluster,
                task=ident,
                reason=f"Stopped from the console by {caller.principal.arn}",
            ),
        )

    async def instance_state(self, request: web.Request) -> web.Response:
        caller = await self._caller(request, mutating=True)
        cluster, ident = request.match_info["cluster"], request.match_info["instance"]
        state = str((await request.post()).get("status", ""))
        back = f"/ui/clusters/{quote(cluster)}/instances"
        if state not in ("DRAINING", "ACTIVE"):
            return _redirect(back, error=f"status must be DRAINING or ACTIVE, not {state!r}")
        return await self._act(
            back,
            f"instance {views.short(ident)} is {state}",
            self.call(
                caller,
                "UpdateContainerInstancesState",
                cluster=cluster,
                containerInstances=[ident],
                status=state,
            ),
        )

    @staticmethod
    async def _act(back: str, done: str, call: Any) -> web.Response:
        """Run an action; back to the page with what happened (post/redirect/get)."""
        try:
            answer = await call
        except errors.BerthError as e:
            return _redirect(back, error=e.message)
        failures = getattr(answer, "failures", ())
        if failures:
            return _redirect(
                back, error="; ".join(f"{f.arn}: {f.reason} {f.detail}".strip() for f in failures)
            )
        return _redirect(back, done=done)

    # -- rendering -------------------------------------------------------------------------------

    def _fragment(self, name: str, **context: Any) -> str:
        return self.env.get_template(name).render(**context)

    def _render(self, name: str, status: int = 200, **context: Any) -> web.Response:
        return web.Response(
            text=self._fragment(name, **context),
            status=status,
            content_type="text/html",
            headers={
                "Cache-Control": "no-store",
                "X-Frame-Options": "DENY",
                "Content-Security-Policy": "default-src 'self'; style-src 'self'; img-src 'self' data:",
                "Referrer-Policy": "same-origin",
            },
        )

    def _page(self, request: web.Request, name: str, **context: Any) -> web.Response:
        """A whole page, or, for the page's `/live` URL (htmx polling), only its live part."""
        if request.path.endswith("/live"):
            return self._render("_" + name, **context)
        context.setdefault("done", request.query.get("done", ""))
        context.setdefault("error", request.query.get("error", ""))
        return self._render(name, **context)

    def _error(self, request: web.Request, caller: Caller, e: errors.BerthError) -> web.Response:
        """The page could not be shown; an action's refusal that led here is shown above it."""
        return self._render(
            "error.html",
            status=_http_status(e),
            me=caller,
            message=e.message,
            error=request.query.get("error", ""),
        )


_STATUS = {
    errors.NotFound: 404,
    errors.PermissionDenied: 403,
    errors.Unauthenticated: 401,
    errors.InvalidArgument: 400,
    errors.Throttled: 429,
    errors.Unavailable: 503,
}


def _http_status(e: errors.BerthError) -> int:
    return next((code for cls, code in _STATUS.items() if isinstance(e, cls)), 409)


def _seconds(value: float) -> str:
    if value < 1:
        return f"{value * 1000:.0f} ms"
    if value < 120:
        return f"{value:.1f} s"
    return views.age(value)


def _safe_next(target: str | None) -> str:
    """Only a path of this console, never another site."""
    if target and target.startswith("/ui/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/ui/"


def _redirect(target: str, **query: str) -> web.Response:
    location = target + ("?" + urlencode(query) if query else "")
    return web.Response(status=303, headers={"Location": location})


def _to_login(request: web.Request) -> web.HTTPException:
    login = "/ui/login?" + urlencode({"next": request.path_qs if request.method == "GET" else "/ui/"})
    if request.headers.get("HX-Request"):
        return web.HTTPUnauthorized(headers={"HX-Redirect": login})
    return web.HTTPSeeOther(login)


def _check_origin(request: web.Request) -> None:
    """A browser names the page a form came from; a form from another site is refused."""
    origin = request.headers.get("Origin")
    if origin and origin != "null" and origin != f"{request.scheme}://{request.host}":
        raise web.HTTPForbidden(text=f"cross-origin request from {origin} refused")
