// nps_ext through node-postgres (npm pg, pinned by node/package-lock.json), which sends every
// parameter untyped: every binding with the default settings and with the recommended ones (a
// type parser that turns numeric into a JavaScript number), each query run 6 times, as unnamed
// and as named (server-prepared) statements. Expected values are computed here from the raw
// answers read back. Connection from PGHOST (a socket directory), PGPORT, PGUSER.
// Last line: "node: N passed, M failed".
'use strict';
const fs = require('fs');
const path = require('path');
const { Client, types } = require('pg');

const TIMES = 6;
const Z95 = 1.959963984540054;
const results = { passed: 0, failed: 0 };

function check(name, ok, detail) {
  if (ok) results.passed++;
  else {
    results.failed++;
    console.log(`FAILED: ${name} ${detail === undefined ? '' : detail}`);
  }
}
const same = (name, want, got) =>
  check(name, JSON.stringify(want) === JSON.stringify(got), `want ${JSON.stringify(want)} got ${JSON.stringify(got)}`);
const close = (a, b) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));

async function group(name, body) {
  try {
    await body();
  } catch (e) {
    results.failed++;
    console.log(`FAILED: ${name} raised ${e.stack || e}`);
  }
}

async function errorCode(promise) {
  try {
    await promise;
    return 'no error';
  } catch (e) {
    return e.code;
  }
}

// ---- arithmetic done here, from the answers ----------------------------------------------
function counts(answers) {
  const c = new Array(11).fill(0);
  for (const a of answers) if (a !== null) c[a]++;
  return c;
}
const responses = (c) => c.reduce((a, b) => a + b, 0);
const promoters = (c) => c[9] + c[10];
const detractors = (c) => c.slice(0, 7).reduce((a, b) => a + b, 0);
const text = (c) => 'v1:' + c.join(',');

// 100 * (P - D) / N with 16 decimal places, rounded half away from zero, as numeric text
function npsText(c) {
  const points = BigInt(100 * (promoters(c) - detractors(c)));
  const n = BigInt(responses(c));
  const unit = 10n ** 16n;
  const abs = points < 0n ? -points : points;
  const scaled = (abs * unit * 2n + n) / (2n * n);
  const digits = scaled.toString().padStart(17, '0');
  return (points < 0n && scaled > 0n ? '-' : '') + digits.slice(0, -16) + '.' + digits.slice(-16);
}

function waldMargin(c, z) {
  const n = responses(c), p = promoters(c) / n, d = detractors(c) / n;
  return z * 100 * Math.sqrt((p + d - (p - d) ** 2) / n);
}

function adjustedWald(c, z) {
  const n = responses(c) + 3, p = (promoters(c) + 0.75) / n, d = (detractors(c) + 0.75) / n;
  const center = 100 * (p - d), half = z * 100 * Math.sqrt((p + d - (p - d) ** 2) / n);
  return [Math.max(-100, center - half), Math.min(100, center + half)];
}

// the recommended setting: numeric as a JavaScript number (float8 already is one), per client
const NUMERIC = 1700;
const numericAsNumber = {
  getTypeParser: (oid, format) => (oid === NUMERIC ? parseFloat : types.getTypeParser(oid, format)),
};

const connection = (database, extra = {}) => ({
  host: process.env.PGHOST, port: Number(process.env.PGPORT), user: process.env.PGUSER || 'postgres', database, ...extra,
});

// each query run TIMES times, alternately unnamed and as a named (server-prepared) statement
let statements = 0;
async function repeated(client, name, sql, values, verify) {
  const named = `nps_${++statements}`;
  for (let i = 0; i < TIMES; i++) {
    const query = i % 2 === 0 ? { text: sql, values } : { name: named, text: sql, values };
    verify(await client.query(query), `${name} (${i % 2 === 0 ? 'unnamed' : 'named'} ${i + 1})`);
  }
}

async function main() {
  const db = 'nps_clients_node';
  const admin = new Client(connection('postgres'));
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${db}`);
  await admin.end();
  const setup = new Client(connection(db));
  await setup.connect();
  await setup.query(fs.readFileSync(path.join(__dirname, 'drivers.sql'), 'utf8'));
  const rows = (await setup.query('SELECT plan, score FROM answers ORDER BY id')).rows;
  const oids = Object.fromEntries((await setup.query(
    "SELECT typname, oid::int FROM pg_type WHERE typname IN ('nps_summary', 'nps_category', 'nps_interval', 'nps_comparison')")).rows
    .map((r) => [r.typname, r.oid]));
  await setup.end();
  const plan = (p) => counts(rows.filter((r) => r.plan === p).map((r) => r.score));
  const free = plan('free'), pro = plan('pro'), all = counts(rows.map((r) => r.score));
  const merged = free.map((x, i) => x + pro[i]);

  for (const recommended of [false, true]) {
    const cfg = recommended ? 'recommended' : 'default';
    const client = new Client(connection(db, recommended ? { types: numericAsNumber } : {}));
    await client.connect();
    const nps = (c) => (recommended ? Number(npsText(c)) : npsText(c));

    await group(`${cfg}: summaries as string parameters`, async () => {
      await client.query('TRUNCATE stored');
      for (let i = 0; i < TIMES; i++) {
        const r = await client.query(i % 2 ? { name: 'insert_summary', text: 'INSERT INTO stored VALUES ($1, $2)', values: [i, text(free)] }
          : { text: 'INSERT INTO stored VALUES ($1, $2)', values: [i, text(free)] });
        same(`${cfg}: insert ${i}`, 1, r.rowCount);
      }
      same(`${cfg}: stored summaries read back`, [text(free)],
        (await client.query('SELECT DISTINCT summary::text AS s FROM stored')).rows.map((r) => r.s));
      await repeated(client, `${cfg}: nps($1)`, 'SELECT nps($1) AS nps', [text(free)],
        (r, name) => same(name, nps(free), r.rows[0].nps));
      await repeated(client, `${cfg}: rollup over VALUES of parameters`, 'SELECT rollup(s)::text AS s, nps(rollup(s)) FROM (VALUES ($1), ($2)) t(s)',
        [text(free), text(pro)], (r, name) => same(name, [text(merged), nps(merged)], [r.rows[0].s, r.rows[0].nps]));
      await repeated(client, `${cfg}: nps_test($1, $2)`, 'SELECT difference FROM nps_test($1, $2)', [text(pro), text(free)],
        (r, name) => check(name, close(Number(npsText(pro)) - Number(npsText(free)), r.rows[0].difference), r.rows[0].difference));
      await repeated(client, `${cfg}: nps_margin($1, $2)`, 'SELECT nps_margin($1, $2) AS m', [text(free), 0.95],
        (r, name) => check(name, close(waldMargin(free, Z95), r.rows[0].m), r.rows[0].m));
    });

    await group(`${cfg}: answers as numbers`, async () => {
      const names = ['detractor', 'detractor', 'detractor', 'detractor', 'detractor', 'detractor', 'detractor',
        'passive', 'passive', 'promoter', 'promoter'];
      for (let v = 0; v <= 10; v++) {
        await repeated(client, `${cfg}: nps_category(${v})`, 'SELECT nps_category($1) AS c', [v],
          (r, name) => same(name, names[v], r.rows[0].c));
      }
      same(`${cfg}: nps_category(9.5) is 22023`, '22023', await errorCode(client.query('SELECT nps_category($1)', [9.5])));
      await repeated(client, `${cfg}: nps over a double precision column`, 'SELECT nps(fscore) FROM answers WHERE id > $1', [0],
        (r, name) => same(name, nps(all), r.rows[0].nps));
      await repeated(client, `${cfg}: nps_agg($1) of an untyped answer`, 'SELECT nps_agg($1)::text AS s', [10],
        (r, name) => same(name, text(counts([10])), r.rows[0].s));
      same(`${cfg}: NaN is 22023`, '22023', await errorCode(client.query('SELECT nps(x) FROM (VALUES ($1::float8)) t(x)', ['NaN'])));
      await repeated(client, `${cfg}: a category compared with an untyped string`,
        'SELECT count(*)::int AS n FROM answers WHERE nps_category(score) = $1', ['promoter'],
        (r, name) => same(name, promoters(all), r.rows[0].n));
    });

    await group(`${cfg}: figures`, async () => {
      const r = (await client.query(
        'SELECT nps(s) AS nps, nps_margin(s) AS margin, round(nps_margin(s)::numeric, 1) AS rounded FROM (SELECT $1::nps_summary AS s) t',
        [text(free)])).rows[0];
      same(`${cfg}: nps arrives as`, recommended ? 'number' : 'string', typeof r.nps);
      same(`${cfg}: a float8 margin arrives as`, 'number', typeof r.margin);
      // the pitfall: a string and a number concatenate
      same(`${cfg}: nps + margin`, recommended ? Number(npsText(free)) + r.margin : npsText(free) + String(r.margin), r.nps + r.margin);
      same(`${cfg}: round(x::numeric, 1)`, recommended ? Number(waldMargin(free, Z95).toFixed(1)) : waldMargin(free, Z95).toFixed(1), r.rounded);
      const zero = (await client.query('SELECT nps(s) AS nps FROM (VALUES ($1::int), ($2::int)) t(s)', [10, 0])).rows[0].nps;
      same(`${cfg}: nps() of 0 has 16 decimals`, recommended ? 0 : '0.0000000000000000', zero);
    });

    await group(`${cfg}: named composites`, async () => {
      const [low, high] = adjustedWald(free, Z95);
      await repeated(client, `${cfg}: nps_confidence_interval`,
        'SELECT nps_confidence_interval(s)::text AS whole, ci.low, ci.high FROM (SELECT $1::nps_summary AS s) t, LATERAL nps_confidence_interval(s) ci',
        [text(free)], (r, name) => {
          const row = r.rows[0];
          check(`${name}: low`, close(low, Number(row.low)), row.low);
          check(`${name}: high`, close(high, Number(row.high)), row.high);
          same(`${name}: the whole record is text`, `(${row.low},${row.high})`, row.whole);
          same(`${name}: field types`, recommended ? ['number', 'number'] : ['string', 'string'], [typeof row.low, typeof row.high]);
        });
      const c = (await client.query('SELECT c.* FROM nps_compare($1, $2) c', [text(pro), text(free)]));
      same(`${cfg}: nps_compare's fields`, ['difference', 'z', 'p_value', 'ci_low', 'ci_high'], c.fields.map((f) => f.name));
      check(`${cfg}: nps_compare difference`, close(Number(npsText(pro)) - Number(npsText(free)), Number(c.rows[0].difference)),
        c.rows[0].difference);
    });

    await group(`${cfg}: summaries sort`, async () => {
      await client.query('TRUNCATE stored');
      await client.query(`INSERT INTO stored SELECT row_number() OVER (ORDER BY plan, day), s
                          FROM (SELECT plan, answered_at::date AS day, nps_agg(score) AS s FROM answers GROUP BY 1, 2) t`);
      const stored = (await client.query('SELECT id, summary FROM stored')).rows
        .map((r) => ({ id: r.id, c: r.summary.slice(3).split(',').map(Number) }));
      // by NPS (exactly: cross-multiplied in BigInt), then responses, then counts
      const key = (s) => [BigInt(100 * (promoters(s.c) - detractors(s.c))), BigInt(responses(s.c))];
      stored.sort((a, b) => {
        const [pa, na] = key(a), [pb, nb] = key(b);
        const byNps = pa * nb - pb * na;
        if (byNps !== 0n) return byNps < 0n ? -1 : 1;
        if (na !== nb) return na < nb ? -1 : 1;
        for (let i = 0; i < 11; i++) if (a.c[i] !== b.c[i]) return a.c[i] - b.c[i];
        return a.id - b.id;
      });
      await repeated(client, `${cfg}: ORDER BY summary`, 'SELECT id FROM stored WHERE id > $1 ORDER BY summary, id', [0],
        (r, name) => same(name, stored.map((s) => s.id), r.rows.map((x) => x.id)));
      const ends = (await client.query('SELECT min(summary)::text AS lo, max(summary)::text AS hi FROM stored')).rows[0];
      same(`${cfg}: min and max`, [text(stored[0].c), text(stored[stored.length - 1].c)], [ends.lo, ends.hi]);
    });

    await group(`${cfg}: result metadata`, async () => {
      const r = await client.query(`SELECT nps_agg(score) AS summary, nps_category(9) AS category,
                                           nps_confidence_interval(nps_agg(score)) AS ci, nps_compare(nps_agg(score), nps_agg(score)) AS test
                                    FROM answers`);
      same(`${cfg}: dataTypeID of each column`, [oids.nps_summary, oids.nps_category, oids.nps_interval, oids.nps_comparison],
        r.fields.map((f) => f.dataTypeID));
      same(`${cfg}: extension types arrive as strings`, ['string', 'string', 'string', 'string'],
        Object.values(r.rows[0]).map((v) => typeof v));
    });
    await client.end();
  }
  console.log(`node: ${results.passed} passed, ${results.failed} failed`);
  process.exit(results.failed === 0 ? 0 : 1);
}

main().catch((e) => {
  console.log(`FAILED: ${e.stack || e}`);
  console.log(`node: ${results.passed} passed, ${results.failed + 1} failed`);
  process.exit(1);
});
