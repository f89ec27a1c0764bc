// Placeholder until the PostgreSQL tests land.
