// duckdb-run.mjs: the DuckDB side of bench-vs-duckdb.c. Reads a JSON job on stdin,
// {"dir": "/data", "tables": ["lineitem", ...], "threads": 2, "queries": [{"name", "sql"}]},
// makes each table a view over read_csv of dir/<table>.csv (so DuckDB parses the CSV in every
// query, as strom does), runs each query twice (the first warms the page cache) and prints
// one JSON line per query: {"name", "ms", "rows"} with the second run's wall time.
// @duckdb/node-api is loaded from $STROM_DUCKDB_DIR/node_modules (installed there by
// tests/bench/duckdb-setup.sh, never into the source tree).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = process.env.STROM_DUCKDB_DIR;
const entry = join(dir, 'node_modules', '@duckdb', 'node-api', 'lib', 'index.js');
const { DuckDBInstance } = await import(pathToFileURL(entry).href);
const job = JSON.parse(readFileSync(0, 'utf8'));
const instance = await DuckDBInstance.create(':memory:', { threads: String(job.threads) });
const con = await instance.connect();

for (const t of job.tables) {
  const file = join(job.dir, `${t}.csv`).replaceAll("'", "''");
  await con.run(`CREATE VIEW ${t} AS SELECT * FROM read_csv('${file}', header = true)`);
}
for (const q of job.queries) {
  let rows = 0, ms = 0;
  for (let run = 0; run < 2; run++) {
    const start = process.hrtime.bigint();
    const reader = await con.runAndReadAll(q.sql);
    ms = Number(process.hrtime.bigint() - start) / 1e6;
    rows = reader.getRows().length;
  }
  console.log(JSON.stringify({ name: q.name, ms, rows }));
}
con.closeSync();
instance.closeSync();
