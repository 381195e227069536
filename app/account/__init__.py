"""Organisation contacts: join and sign in by e-mailed link, their own organisations."""
