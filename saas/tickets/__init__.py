"""Service tickets (seed 002's 服务工单): a client's request after or during a project, with its thread and SLA."""
