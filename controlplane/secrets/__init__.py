"""The Secrets Manager stand-in: values sealed at rest, versions, and what a task may read at start."""
