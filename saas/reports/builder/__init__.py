"""The report builder (the seeds' 报表引擎): a person picks a source, a measure, one or two dimensions, an optional
period and a chart; the report is compiled to one GROUP BY over what that person may see, saved, and pinned to a
dashboard. `sources` declares what can be counted, `definition` checks a report, `compiler` runs it."""
