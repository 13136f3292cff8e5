"""RudderStack warehouse data: the tables this project reads (`schema`) and a deterministic
sample-data generator (`generate`, `writer`) for `sluice generate --source rudderstack`."""
