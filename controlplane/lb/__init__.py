"""Load balancers (the Elastic Load Balancing v2 stand-in): the control plane side."""
