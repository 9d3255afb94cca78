"""Course content: loading and validating materials (schema, YAML, cross-reference checks, paths)."""
