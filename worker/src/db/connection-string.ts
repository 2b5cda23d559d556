/**
 * Whether a value is a usable Postgres connection string (`postgresql://user:password@host/db`):
 * the Neon driver needs a user, a host and a database name. Shared by the Worker's configuration
 * and the migration command, which runs in Node.
 */
export function isPostgresUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (
      (url.protocol === "postgresql:" || url.protocol === "postgres:") &&
      url.hostname !== "" &&
      url.username !== "" &&
      url.pathname.length > 1
    );
  } catch {
    return false;
  }
}
