/** A connection string for the driver; the stand-in serves one database whatever it names. */
export const testDatabaseUrl = "postgresql://brisk:brisk@localhost/brisk";
