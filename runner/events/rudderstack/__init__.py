"""RudderStack warehouse data: the tables this project reads (`schema`) and a deterministic
sample-data generator (`generate`, `writer`) for `sluice generate --source rudderstack`."""

#: visitors `sluice generate --source rudderstack` simulates by default
DEFAULT_VISITORS = 2000
