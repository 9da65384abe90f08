"""The IAM stand-in: policy documents and authorization decisions (pure), apart from their I/O."""
