import pg from "pg";

/**
 * One statement on its own connection, outside any app's pool: creating and dropping test
 * databases, or reading one (`database` replaces the URL's database). Returns the rows.
 */
export async function adminQuery(
  url: string,
  sql: string,
  params: unknown[] = [],
  database?: string,
): Promise<Record<string, unknown>[]> {
  const target = new URL(url);
  if (database) target.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: target.toString() });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}
