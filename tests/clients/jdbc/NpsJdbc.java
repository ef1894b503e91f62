import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.*;
import java.util.*;
import org.postgresql.util.PGobject;

/**
 * nps_ext through the PostgreSQL JDBC driver, as BI tools use it (Metabase, DBeaver, Tableau's
 * JDBC connector): every binding with the driver's default settings and with the recommended
 * ones (stringtype=unspecified, reWriteBatchedInserts=true), each statement executed 6 times so
 * the driver's server-prepared path (prepareThreshold 5) runs too, and result metadata read as
 * a BI tool reads it. Expected values are computed here from the raw answers read back.
 *
 *   java NpsJdbc JDBC_URL_WITHOUT_DATABASE DATABASE DRIVERS_SQL    (last line "jdbc: N passed, M failed")
 */
public class NpsJdbc {
    static int passed = 0, failed = 0;
    static final int TIMES = 6;
    static final double Z95 = 1.959963984540054;

    static void check(String name, boolean ok, Object detail) {
        if (ok) passed++;
        else {
            failed++;
            System.out.println("FAILED: " + name + " " + detail);
        }
    }

    static void same(String name, Object want, Object got) {
        check(name, Objects.equals(want, got), "want <" + want + "> got <" + got + ">");
    }

    interface Body { void run() throws Exception; }

    /** A group of checks: an exception is one failure and the other groups still run. */
    static void group(String name, Body body) {
        try {
            body.run();
        } catch (Exception e) {
            failed++;
            System.out.println("FAILED: " + name + " raised " + e);
        }
    }

    // ---- arithmetic done here, from the answers -------------------------------------------
    static long[] counts(Collection<Integer> answers) {
        long[] c = new long[11];
        for (Integer a : answers) if (a != null) c[a]++;
        return c;
    }

    static long responses(long[] c) { long n = 0; for (long x : c) n += x; return n; }
    static long promoters(long[] c) { return c[9] + c[10]; }
    static long detractors(long[] c) { long d = 0; for (int i = 0; i <= 6; i++) d += c[i]; return d; }

    /** 100 * (P - D) / N with 16 decimal places, half away from zero: what nps() returns. */
    static BigDecimal nps(long[] c) {
        return BigDecimal.valueOf(100 * (promoters(c) - detractors(c)))
            .divide(BigDecimal.valueOf(responses(c)), 16, RoundingMode.HALF_UP);
    }

    static String text(long[] c) {
        StringJoiner j = new StringJoiner(",", "v1:", "");
        for (long x : c) j.add(Long.toString(x));
        return j.toString();
    }

    /** Wald margin: z * 100 * sqrt((p + d - (p - d)^2) / n). */
    static double margin(long[] c, double z) {
        double n = responses(c), p = promoters(c) / n, d = detractors(c) / n;
        return z * 100 * Math.sqrt((p + d - (p - d) * (p - d)) / n);
    }

    /** Adjusted Wald (Rocks 2016): 3/4 promoter and detractor, 3/2 passive added. */
    static double[] adjustedWald(long[] c, double z) {
        double n = responses(c) + 3, p = (promoters(c) + 0.75) / n, d = (detractors(c) + 0.75) / n;
        double center = 100 * (p - d), half = z * 100 * Math.sqrt((p + d - (p - d) * (p - d)) / n);
        return new double[] {Math.max(-100, center - half), Math.min(100, center + half)};
    }

    static boolean close(double a, double b) { return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a)); }

    // ---- the connection and the answers ---------------------------------------------------
    static Connection conn;
    static boolean recommended;
    static Map<String, List<Integer>> byPlan = new TreeMap<>();
    static List<Integer> all = new ArrayList<>();

    static String sqlstate(Body body) {
        try {
            body.run();
            return "no error";
        } catch (SQLException e) {
            return e.getSQLState();
        } catch (Exception e) {
            return e.toString();
        }
    }

    static Object one(String sql, Object... params) throws SQLException {
        try (PreparedStatement s = conn.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) s.setObject(i + 1, params[i]);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getObject(1);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        String base = args[0], db = args[1];
        try (Connection admin = DriverManager.getConnection(base + "postgres?user=postgres");
             Statement s = admin.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + db);
        }
        try (Connection setup = DriverManager.getConnection(base + db + "?user=postgres");
             Statement s = setup.createStatement()) {
            s.execute(Files.readString(Path.of(args[2])));
            try (ResultSet r = s.executeQuery("SELECT plan, score FROM answers ORDER BY id")) {
                while (r.next()) {
                    Integer score = r.getObject(2) == null ? null : r.getInt(2);
                    byPlan.computeIfAbsent(r.getString(1), k -> new ArrayList<>()).add(score);
                    all.add(score);
                }
            }
        }
        for (boolean rec : new boolean[] {false, true}) {
            recommended = rec;
            String settings = rec ? "&stringtype=unspecified&reWriteBatchedInserts=true" : "";
            try (Connection c = DriverManager.getConnection(base + db + "?user=postgres" + settings)) {
                conn = c;
                suite(rec ? "recommended" : "default");
            }
        }
        System.out.println("jdbc: " + passed + " passed, " + failed + " failed");
        System.exit(failed == 0 ? 0 : 1);
    }

    static void suite(String cfg) {
        long[] free = counts(byPlan.get("free")), pro = counts(byPlan.get("pro")), total = counts(all);
        long[] merged = new long[11];
        for (int i = 0; i < 11; i++) merged[i] = free[i] + pro[i];

        // 1. summaries as strings (setString: varchar by default, untyped with stringtype=unspecified)
        group(cfg + ": setString into an nps_summary column", () -> {
            try (Statement s = conn.createStatement()) { s.execute("TRUNCATE stored"); }
            try (PreparedStatement p = conn.prepareStatement("INSERT INTO stored VALUES (?, ?)")) {
                for (int i = 0; i < TIMES; i++) {
                    p.setInt(1, i);
                    p.setString(2, text(i % 2 == 0 ? free : pro));
                    same(cfg + ": insert " + i, 1, p.executeUpdate());
                }
            }
            same(cfg + ": stored summaries read back", text(free) + " " + text(pro),
                 one("SELECT string_agg(summary::text, ' ' ORDER BY id) FROM stored WHERE id < ?", 2));
        });
        group(cfg + ": nps(?) with a summary string", () -> {
            try (PreparedStatement p = conn.prepareStatement("SELECT nps(?)")) {
                for (int i = 0; i < TIMES; i++) {
                    p.setString(1, text(free));
                    try (ResultSet r = p.executeQuery()) {
                        r.next();
                        same(cfg + ": nps(?) execution " + (i + 1), nps(free), r.getBigDecimal(1));
                    }
                }
            }
        });
        group(cfg + ": rollup over VALUES of parameters", () -> {
            try (PreparedStatement p = conn.prepareStatement("SELECT rollup(s)::text, nps(rollup(s)) FROM (VALUES (?), (?)) t(s)")) {
                for (int i = 0; i < TIMES; i++) {
                    p.setString(1, text(free));
                    p.setString(2, text(pro));
                    try (ResultSet r = p.executeQuery()) {
                        r.next();
                        same(cfg + ": rollup execution " + (i + 1), text(merged) + " " + nps(merged), r.getString(1) + " " + r.getBigDecimal(2));
                    }
                }
            }
        });
        group(cfg + ": nps_test(?, ?) and nps_margin(?, ?)", () -> {
            try (PreparedStatement t = conn.prepareStatement("SELECT difference FROM nps_test(?, ?)");
                 PreparedStatement m = conn.prepareStatement("SELECT nps_margin(?, ?)")) {
                for (int i = 0; i < TIMES; i++) {
                    t.setString(1, text(pro));
                    t.setString(2, text(free));
                    try (ResultSet r = t.executeQuery()) {
                        r.next();
                        check(cfg + ": nps_test difference " + (i + 1),
                              close(nps(pro).subtract(nps(free)).doubleValue(), r.getDouble(1)), r.getDouble(1));
                    }
                    m.setString(1, text(free));
                    m.setDouble(2, 0.95);
                    try (ResultSet r = m.executeQuery()) {
                        r.next();
                        check(cfg + ": nps_margin " + (i + 1), close(margin(free, Z95), r.getDouble(1)), r.getDouble(1));
                    }
                }
            }
        });

        // 2. answers as double precision (setDouble, a float8 column)
        group(cfg + ": nps_category(?) with setDouble, setInt and setString", () -> {
            String[] names = {"detractor", "detractor", "detractor", "detractor", "detractor", "detractor", "detractor",
                              "passive", "passive", "promoter", "promoter"};
            try (PreparedStatement p = conn.prepareStatement("SELECT nps_category(?)")) {
                for (int v = 0; v <= 10; v++) {
                    for (int i = 0; i < TIMES; i++) {
                        p.setDouble(1, v);
                        try (ResultSet r = p.executeQuery()) {
                            r.next();
                            same(cfg + ": nps_category(" + v + ".0)", names[v], r.getString(1));
                        }
                    }
                }
                p.setInt(1, 6);
                try (ResultSet r = p.executeQuery()) { r.next(); same(cfg + ": nps_category(6)", "detractor", r.getString(1)); }
                // a string is a cast by PostgreSQL's one-argument rule as varchar (a label, not a
                // score), and an untyped parameter (stringtype=unspecified) is a double precision
                p.setString(1, "9");
                same(cfg + ": nps_category(setString(\"9\"))", recommended ? "no error" : "22P02", sqlstate(() -> p.executeQuery().close()));
                p.setDouble(1, 9.5);
                same(cfg + ": nps_category(9.5) is 22023", "22023", sqlstate(() -> p.executeQuery().close()));
            }
        });
        group(cfg + ": a double precision answer column", () -> {
            for (int i = 0; i < TIMES; i++) {
                same(cfg + ": nps(fscore) " + (i + 1), nps(total), one("SELECT nps(fscore) FROM answers WHERE id > ?", 0));
            }
            same(cfg + ": nps_agg(fscore) = nps_agg(score)", text(total),
                 one("SELECT nps_agg(fscore)::text FROM answers WHERE id > ?", 0));
            same(cfg + ": NaN is 22023", "22023", sqlstate(() -> one("SELECT nps(x) FROM (VALUES (?::float8)) t(x)", Double.NaN)));
            same(cfg + ": NULLIF(score, 'NaN')", nps(counts(List.of(10, 9, 3))),
                 one("SELECT nps(NULLIF(x, 'NaN')) FROM (VALUES (?::float8), (?::float8), (?::float8), (?::float8)) t(x)",
                     10.0, Double.NaN, 9.0, 3.0));
        });
        group(cfg + ": a category compared with a string parameter", () -> {
            long promotersAll = promoters(total);
            try (PreparedStatement p = conn.prepareStatement("SELECT count(*) FROM answers WHERE nps_category(score) = ?");
                 PreparedStatement typed = conn.prepareStatement("SELECT count(*) FROM answers WHERE nps_category(score) = ?::nps_category")) {
                for (int i = 0; i < TIMES; i++) {
                    typed.setString(1, "promoter");
                    try (ResultSet r = typed.executeQuery()) { r.next(); same(cfg + ": = ?::nps_category " + (i + 1), promotersAll, r.getLong(1)); }
                    p.setString(1, "promoter");
                    if (recommended) {
                        try (ResultSet r = p.executeQuery()) { r.next(); same(cfg + ": = ? untyped " + (i + 1), promotersAll, r.getLong(1)); }
                    } else {
                        same(cfg + ": = ? as varchar has no operator " + (i + 1), "42883", sqlstate(() -> p.executeQuery().close()));
                    }
                }
            }
        });

        // 3. figures: nps() has 16 decimals for every value; 0.2.0's float8 figures round as numeric
        group(cfg + ": figures", () -> {
            BigDecimal zero = (BigDecimal) one("SELECT nps(s) FROM (VALUES (?), (?)) t(s)", 10, 0);
            same(cfg + ": scale of nps() at 0", 16, zero.scale());
            same(cfg + ": BigDecimal.toString() of 0", "0E-16", zero.toString());
            same(cfg + ": toPlainString() of 0", "0.0000000000000000", zero.toPlainString());
            BigDecimal rounded = (BigDecimal) one("SELECT round(nps_margin(?::nps_summary)::numeric, 1)", text(free));
            same(cfg + ": round(nps_margin(...)::numeric, 1)",
                 BigDecimal.valueOf(margin(free, Z95)).setScale(1, RoundingMode.HALF_UP), rounded);
            for (String plan : byPlan.keySet()) {
                same(cfg + ": nps() of " + plan, nps(counts(byPlan.get(plan))),
                     one("SELECT nps(score) FROM answers WHERE plan = ?", plan));
            }
        });

        // 4. records that read: named composites, and their fields through LATERAL
        group(cfg + ": named composites", () -> {
            double[] ci = adjustedWald(free, Z95);
            try (PreparedStatement p = conn.prepareStatement(
                     "SELECT nps_confidence_interval(s), ci.low, ci.high FROM (VALUES (?::nps_summary)) t(s), LATERAL nps_confidence_interval(s) ci")) {
                for (int i = 0; i < TIMES; i++) {
                    p.setString(1, text(free));
                    try (ResultSet r = p.executeQuery()) {
                        r.next();
                        PGobject whole = (PGobject) r.getObject(1);
                        same(cfg + ": whole record's type", "nps_interval", whole.getType());
                        same(cfg + ": whole record's text", "(" + r.getString("low") + "," + r.getString("high") + ")", whole.getValue());
                        check(cfg + ": low by name", close(ci[0], r.getBigDecimal("low").doubleValue()), r.getBigDecimal("low"));
                        check(cfg + ": high by name", close(ci[1], r.getBigDecimal("high").doubleValue()), r.getBigDecimal("high"));
                    }
                }
            }
            try (PreparedStatement p = conn.prepareStatement("SELECT c.* FROM nps_compare(?, ?) c")) {
                p.setString(1, text(pro));
                p.setString(2, text(free));
                try (ResultSet r = p.executeQuery()) {
                    r.next();
                    same(cfg + ": nps_compare's columns", "difference z p_value ci_low ci_high",
                         String.join(" ", columnNames(r.getMetaData())));
                    check(cfg + ": nps_compare difference", close(nps(pro).subtract(nps(free)).doubleValue(),
                                                                  r.getBigDecimal("difference").doubleValue()), r.getBigDecimal("difference"));
                }
            }
        });

        // 5. summaries sort: ORDER BY, min and max, by NPS, then responses, then counts
        group(cfg + ": ORDER BY summary, min, max", () -> {
            try (Statement s = conn.createStatement()) {
                s.execute("TRUNCATE stored");
                s.execute("INSERT INTO stored SELECT row_number() OVER (ORDER BY plan, day), s FROM "
                          + "(SELECT plan, answered_at::date AS day, nps_agg(score) AS s FROM answers GROUP BY 1, 2) t");
            }
            List<long[]> stored = new ArrayList<>();
            List<Integer> ids = new ArrayList<>();
            try (Statement s = conn.createStatement(); ResultSet r = s.executeQuery("SELECT id, summary FROM stored")) {
                while (r.next()) {
                    ids.add(r.getInt(1));
                    stored.add(Arrays.stream(r.getString(2).substring(3).split(",")).mapToLong(Long::parseLong).toArray());
                }
            }
            List<Integer> order = new ArrayList<>(ids);
            Comparator<Integer> documented = Comparator
                .comparing((Integer id) -> new BigDecimal(100 * (promoters(stored.get(ids.indexOf(id))) - detractors(stored.get(ids.indexOf(id)))))
                    .divide(BigDecimal.valueOf(responses(stored.get(ids.indexOf(id)))), MathContext.DECIMAL128))
                .thenComparing(id -> responses(stored.get(ids.indexOf(id))))
                .thenComparing(id -> stored.get(ids.indexOf(id)), Arrays::compare);
            order.sort(documented.thenComparing(Comparator.naturalOrder()));
            List<Integer> got = new ArrayList<>();
            try (Statement s = conn.createStatement(); ResultSet r = s.executeQuery("SELECT id FROM stored ORDER BY summary, id")) {
                while (r.next()) got.add(r.getInt(1));
            }
            same(cfg + ": ORDER BY summary", order, got);
            same(cfg + ": min(summary)", text(stored.get(ids.indexOf(order.get(0)))), one("SELECT min(summary)::text FROM stored WHERE id > ?", 0));
            same(cfg + ": max(summary)", text(stored.get(ids.indexOf(order.get(order.size() - 1)))),
                 one("SELECT max(summary)::text FROM stored WHERE id > ?", 0));
        });

        // 6. metadata as a BI tool reads it
        group(cfg + ": result metadata", () -> {
            try (Statement s = conn.createStatement();
                 ResultSet r = s.executeQuery("SELECT nps(score) AS nps, nps_agg(score) AS summary, nps_category(9) AS category, "
                     + "nps_margin(nps_agg(score)) AS margin, nps_confidence_interval(nps_agg(score)) AS ci, "
                     + "nps_compare(nps_agg(score), nps_agg(score)) AS test FROM answers")) {
                r.next();
                ResultSetMetaData m = r.getMetaData();
                List<String> seen = new ArrayList<>();
                for (int i = 1; i <= m.getColumnCount(); i++)
                    seen.add(m.getColumnName(i) + ":" + m.getColumnTypeName(i) + ":" + r.getObject(i).getClass().getSimpleName());
                same(cfg + ": getColumnTypeName and getObject classes",
                     "[nps:numeric:BigDecimal, summary:nps_summary:PGobject, category:nps_category:String, margin:float8:Double, "
                     + "ci:nps_interval:PGobject, test:nps_comparison:PGobject]", seen.toString());
            }
        });

        // 7. batches into a table with a live summary (reWriteBatchedInserts=true sends one
        //    multi-row INSERT per batch: one trigger run per batch, not per row)
        group(cfg + ": batch inserts into a table with a live summary", () -> {
            try (Statement s = conn.createStatement()) { s.execute("TRUNCATE live_answers"); }
            List<Integer> batch = new ArrayList<>();
            try (PreparedStatement p = conn.prepareStatement("INSERT INTO live_answers VALUES (?, ?::timestamptz, ?)")) {
                for (int i = 0; i < 240; i++) {
                    int score = (i * 7) % 11;
                    batch.add(score);
                    p.setString(1, i % 2 == 0 ? "free" : "pro");
                    p.setString(2, "2026-03-0" + (1 + i % 3) + " 12:00:00+00");
                    p.setInt(3, score);
                    p.addBatch();
                    if (i % 60 == 59) p.executeBatch();
                }
            }
            same(cfg + ": live summaries add up to the batch", text(counts(batch)),
                 one("SELECT rollup(summary)::text FROM live_answers_nps_live WHERE bucket >= ?::timestamptz", "2026-01-01"));
            same(cfg + ": live summaries equal nps_agg of the table", Boolean.TRUE,
                 one("SELECT (SELECT rollup(summary) FROM live_answers_nps_live) = nps_agg(score) FROM live_answers WHERE ? > 0", 1));
            // a score the summary cannot take fails as nps_agg fails, and the exception a
            // tool shows (message, detail, hint, context: the driver's getMessage) stays short
            try (PreparedStatement p = conn.prepareStatement("INSERT INTO live_answers VALUES (?, ?::timestamptz, ?)")) {
                p.setString(1, "free");
                p.setString(2, "2026-03-01 12:00:00+00");
                p.setInt(3, 11);
                p.executeUpdate();
                check(cfg + ": a score of 11 is refused", false, "inserted");
            } catch (SQLException e) {
                same(cfg + ": a score of 11 is refused with 22003", "22003", e.getSQLState());
                check(cfg + ": its exception text is under 500 characters", e.getMessage().length() < 500,
                      e.getMessage().length() + ": " + e.getMessage());
            }
        });

        // the server-prepared path ran: the driver names its statements S_1, S_2, ...
        group(cfg + ": server-prepared statements", () -> {
            long named = (Long) one("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE ?", "S\\_%");
            check(cfg + ": statements executed 6 times were prepared on the server", named >= 5, named);
        });
    }

    static List<String> columnNames(ResultSetMetaData m) throws SQLException {
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= m.getColumnCount(); i++) names.add(m.getColumnName(i));
        return names;
    }
}
