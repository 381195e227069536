"""Two-hour tailored workshops: ordering, handling by staff, calendar and feedback."""
