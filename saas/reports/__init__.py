"""Reports: the dashboards (studio and personal) and the report builder, figures computed in SQL over what
the reader may see."""
