"""Bureau targets (质量目标): the plan's indicators counted from the registry, by year, town and industry."""
