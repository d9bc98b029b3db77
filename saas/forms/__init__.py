"""Public forms: a studio's questionnaires (intake, requirements, feedback) whose answers write into its records."""
