"""Authorization decisions per second of the pure policy evaluator (`controlplane.iam`).

1,000 policy documents shaped like real ones (an Allow of a few actions and action globs on one
cluster or a family of clusters, some with a tag or cluster condition, some with a Deny statement,
a few with policy variables), parsed once. Two shapes are timed on 200,000 random requests (action,
resource, context) each:

- per user: 1,000 users with one policy each (how a team uses IAM); a decision looks at the
  caller's own policy set;
- one principal holding all 1,000 policies (the worst case: every statement is a candidate unless
  the action index rules it out).

The baseline, in the same run, is the plain scan: every statement of the principal's policies
checked in order (what an evaluator without the action index does), on 2,000 requests.

Run: `.venv/bin/python -m bench.iam_bench`.
"""

from __future__ import annotations

import random
import time
from typing import Any

from controlplane.iam.evaluate import PolicySet
from controlplane.iam.policy import Context, Policy, parse

POLICIES = 1_000
REQUESTS = 200_000
BASELINE_REQUESTS = 2_000
ACCOUNT = "000000000000"
ACTIONS = [
    "ecs:RunTask", "ecs:StopTask", "ecs:DescribeTasks", "ecs:ListTasks", "ecs:CreateService",
    "ecs:UpdateService", "ecs:DeleteService", "ecs:DescribeServices", "ecs:RegisterTaskDefinition",
    "ecs:DescribeClusters", "ecs:TagResource", "logs:GetLogEvents", "servicediscovery:ListServices",
]  # fmt: skip
GLOBS = ["ecs:Describe*", "ecs:List*", "ecs:*Service", "logs:*", "ecs:*"]


def _document(rng: random.Random, n: int) -> dict[str, Any]:
    cluster = f"c{n % 50}"
    allow: dict[str, Any] = {
        "Sid": "Work",
        "Effect": "Allow",
        "Action": rng.sample(ACTIONS, 3) + rng.sample(GLOBS, 1),
        "Resource": [
            f"arn:aws:ecs:*:{ACCOUNT}:cluster/{cluster}",
            f"arn:aws:ecs:*:{ACCOUNT}:task/{cluster}/*",
        ],
    }
    if n % 3 == 0:
        allow["Condition"] = {"StringEquals": {"aws:ResourceTag/team": f"t{n % 7}"}}
    if n % 10 == 0:
        allow["Resource"] = "arn:aws:ecs:*:*:cluster/${aws:username}"
    statements = [allow]
    if n % 4 == 0:
        statements.append({"Sid": "NoDelete", "Effect": "Deny", "Action": "ecs:Delete*", "Resource": "*"})
    if n % 5 == 0:
        statements.append(
            {
                "Sid": "OnlyTagged",
                "Effect": "Deny",
                "Action": "ecs:*",
                "Resource": "*",
                "Condition": {"StringNotLike": {"ecs:cluster": f"arn:aws:ecs:*:*:cluster/c{n % 50}*"}},
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def _requests(rng: random.Random, count: int) -> list[tuple[int, str, str, Context]]:
    out = []
    for _ in range(count):
        user = rng.randrange(POLICIES)
        # Mostly the user's own cluster (and team tag), sometimes another one.
        cluster = f"c{user % 50}" if rng.random() < 0.7 else f"c{rng.randrange(60)}"
        arn = f"arn:aws:ecs:local:{ACCOUNT}:cluster/{cluster}"
        context: Context = {"ecs:cluster": arn, "aws:username": f"c{user % 50}"}
        if rng.random() < 0.5:
            context = {**context, "aws:ResourceTag/team": f"t{user % 7 if rng.random() < 0.8 else 0}"}
        out.append((user, rng.choice(ACTIONS), arn, context))
    return out


def _scan(policies: list[Policy], action: str, resource: str, context: Context) -> str:
    allowed = False
    for policy in policies:
        for s in policy.statements:
            if (
                s.matches_action(action.lower())
                and s.matches_resource(resource, context)
                and s.matches_conditions(context)
            ):
                if not s.allow:
                    return "explicitDeny"
                allowed = True
    return "allowed" if allowed else "implicitDeny"


def _rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}/s"


def run() -> None:
    rng = random.Random(7)
    start = time.perf_counter()
    policies = [parse(f"policy-{n}", _document(rng, n)) for n in range(POLICIES)]
    parsed = time.perf_counter() - start
    statements = sum(len(p.statements) for p in policies)
    per_user = [PolicySet([p]) for p in policies]
    everything = PolicySet(policies)
    requests = _requests(rng, REQUESTS)

    start = time.perf_counter()
    outcomes = [per_user[u].decide(a, r, c).outcome for u, a, r, c in requests]
    user_seconds = time.perf_counter() - start
    start = time.perf_counter()
    for _, a, r, c in requests:
        everything.decide(a, r, c)
    all_seconds = time.perf_counter() - start

    few = requests[:BASELINE_REQUESTS]
    start = time.perf_counter()
    for _, a, r, c in few:
        _scan(policies, a, r, c)
    scan_seconds = time.perf_counter() - start
    assert all(everything.decide(a, r, c).outcome == _scan(policies, a, r, c) for _, a, r, c in few[:500])

    allowed = sum(o == "allowed" for o in outcomes) / len(outcomes)
    print(f"iam: {POLICIES:,} policies ({statements:,} statements) parsed in {parsed * 1000:.0f} ms")
    print(
        f"  per user (1 policy each):     {_rate(REQUESTS, user_seconds)} decisions ({allowed:.0%} allowed)"
    )
    print(f"  one principal, all policies:  {_rate(REQUESTS, all_seconds)} decisions (action index)")
    print(
        f"  baseline, plain scan of all:  {_rate(BASELINE_REQUESTS, scan_seconds)} decisions "
        f"(index {(scan_seconds / BASELINE_REQUESTS) / (all_seconds / REQUESTS):.0f}x faster)"
    )


if __name__ == "__main__":
    run()
