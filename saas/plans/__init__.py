"""Studio plans: what each plan allows, what a studio uses, and the subscription that decides its plan."""
