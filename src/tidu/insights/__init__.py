"""Officials' dashboard over their jurisdiction: the ladder pyramid, movements, risks and the register's tiers."""
