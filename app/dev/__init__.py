"""Development helpers; registered only in debug mode without an SMTP server."""
