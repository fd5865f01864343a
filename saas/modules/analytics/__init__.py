"""The analytics module: report widgets, dashboards, funnels, cohorts and customer value."""
