"""Snowplow events: the atomic schema, loading enriched events, generating sample events."""
