"""Service autoscaling, the Application Auto Scaling stand-in.

- `decide`: pure scaling decisions (target tracking, step scaling), unit-tested.
- `schedule`: pure at/rate/cron schedules of scheduled actions.
- `records`: etcd keys, request validation, records -> decide() policies.
- `api`: the berth.v1.ApplicationAutoScaling servicer (writes records only).
- `runner`: the Autoscaler, run by the leader, which acts on them.
"""
