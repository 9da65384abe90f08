"""Task role credentials on the agent: the ECS credentials endpoint (`GET /v2/credentials/<id>`)
that boto3 and the other AWS SDKs read through `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`.

`model` holds the pure parts (the JSON shape, the refresh schedule, the containers' environment),
`service` fetches, refreshes and forgets each task's credentials and serves them, `address` puts
the ECS address (169.254.170.2) on the loopback interface.
"""
