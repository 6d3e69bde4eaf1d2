"""Innovation platforms list technology achievements; transfers and incubated firms are recorded."""
