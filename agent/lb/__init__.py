"""`berth-lb`: the load balancer data plane, one real HAProxy per load balancer host.

`config` renders haproxy.cfg (pure), `plan` computes the runtime API commands that move HAProxy's
servers to the wanted targets (pure), `health` maps HAProxy's check results to ELB target health
(pure), `haproxy` is the only module that runs HAProxy or talks to its socket, and `main` is the
process: it watches the control plane's LoadBalancerNode stream and reports health back.
"""
