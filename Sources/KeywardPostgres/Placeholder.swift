// Placeholder until the PostgreSQL store lands.
