"""After-sales: complaints with their clocks and remedies, ratings, follow-ups (the supervisor's side)."""
