"""Plumbing that several features share: database, mail outbox, links, audit, rate
limits, security headers, i18n, templating, errors, static files."""
