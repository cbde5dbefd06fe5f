// duckdb-run.mjs: the DuckDB side of bench-vs-duckdb.c. Reads a JSON job on stdin,
// {"dir": "/data", "tables": ["lineitem", ...], "threads": 2, "memory_mb": 1024,
// "queries": [{"name", "sql"}]},
// makes each table a view over read_csv of dir/<table>.csv (so DuckDB parses the CSV in every
// query, as strom does), runs each query twice (the first warms the page cache) and prints
// one JSON line per query: {"name", "ms", "rows"} with the second run's wall time.
// Results are streamed and counted a chunk at a time, never turned into JavaScript rows:
// the time is DuckDB computing the result and handing over every chunk of it, as strom's
// is computing it and fetching every row through its gateway, and a sort of 100M rows
// does not have to fit in the JavaScript heap. (Until session 8 the result was read whole
// with runAndReadAll, which kept it all in memory but timed the same work.)
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
if (job.memory_mb) // the same memory as strom's managed memory (bench-vs-duckdb.c)
  await con.run(`SET memory_limit = '${job.memory_mb}MiB'`);

for (const t of job.tables) {
  const file = join(job.dir, `${t}.csv`).replaceAll("'", "''");
  await con.run(`CREATE VIEW ${t} AS SELECT * FROM read_csv('${file}', header = true)`);
}
for (const q of job.queries) {
  let rows = 0, ms = 0;
  for (let run = 0; run < 2; run++) {
    const start = process.hrtime.bigint();
    const result = await con.stream(q.sql);
    rows = 0;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      rows += chunk.rowCount;
    }
    ms = Number(process.hrtime.bigint() - start) / 1e6;
  }
  console.log(JSON.stringify({ name: q.name, ms, rows }));
}
con.closeSync();
instance.closeSync();
