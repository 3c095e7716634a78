/*
 * BiCheck: can a BI tool (Metabase) use the views of schema chibo_report?
 *
 * Connects with the PostgreSQL JDBC driver and does what Metabase's sync
 * does: lists the schema's relations from pg_class (with their comments),
 * their columns from information_schema.columns (with col_description), and
 * compares both with DatabaseMetaData.getTables/getColumns as generic JDBC
 * tools see them.  Every column must have a plain type (smallint, integer,
 * bigint, numeric, double precision, text, date, boolean) and a comment.
 * Then it reads every value of every view with the getter of its type, and
 * checks that chibo_report.headline holds the figures of chibo.indicators()
 * for the same unit and window.  Prints TAP; exit status 1 on any failure.
 *
 *   javac -d OUT test/bi/BiCheck.java
 *   java -cp OUT:/usr/share/java/postgresql.jar BiCheck HOST PORT DATABASE USER
 */
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

public class BiCheck {
    static final String SCHEMA = "chibo_report";

    /** A column type a BI tool understands: its udt_name and JDBC type. */
    record PlainType(String udtName, int jdbcType) {}

    /** The allowed types, by information_schema data_type. */
    static final Map<String, PlainType> PLAIN_TYPES = Map.of(
        "smallint", new PlainType("int2", Types.SMALLINT),
        "integer", new PlainType("int4", Types.INTEGER),
        "bigint", new PlainType("int8", Types.BIGINT),
        "numeric", new PlainType("numeric", Types.NUMERIC),
        "double precision", new PlainType("float8", Types.DOUBLE),
        "text", new PlainType("text", Types.VARCHAR),
        "date", new PlainType("date", Types.DATE),
        "boolean", new PlainType("bool", Types.BIT));

    /** The figures headline shares with chibo.indicators(). */
    static final String[] HEADLINE_FIGURES = {
        "active_members", "task_registered", "four_good", "cells_total",
        "cells_passing", "attendance_present", "attendance_expected"};

    record Column(String name, String dataType, String udtName, int position, String comment) {}

    record Relation(String name, String kind, String comment, List<Column> columns) {}

    private final Connection db;
    /** A connection with the rights of an admin, for chibo.indicators(). */
    private final Connection admin;
    private int tests = 0;
    private int failures = 0;

    BiCheck(Connection db, Connection admin) {
        this.db = db;
        this.admin = admin;
    }

    // Connect, run every check, print the plan; exit 1 on any failure.
    public static void main(String[] args) {
        if (args.length != 4 && args.length != 5) {
            System.err.println("usage: java BiCheck HOST PORT DATABASE USER [ADMIN_USER]");
            System.exit(2);
        }
        String url = "jdbc:postgresql://" + args[0] + ":" + args[1] + "/" + args[2] + "?ApplicationName=chibo-bi-check";
        String adminUser = args.length == 5 ? args[4] : args[3];
        BiCheck check = null;
        try (Connection db = DriverManager.getConnection(url, args[3], "");
             Connection admin = DriverManager.getConnection(url, adminUser, "")) {
            check = new BiCheck(db, admin);
            check.run();
            if (args.length == 5) {
                check.checkReaderLimits();
            }
        } catch (SQLException e) {
            if (check == null) {
                check = new BiCheck(null, null);
            }
            check.report(false, "unexpected error: " + String.valueOf(e.getMessage()).replace('\n', ' '));
        }
        System.out.println("1.." + check.tests);
        System.exit(check.failures == 0 ? 0 : 1);
    }

    // The sync, then the reading of every view, then the headline figures.
    void run() throws SQLException {
        Map<String, Relation> relations = describeDatabase();
        report(!relations.isEmpty(), "schema " + SCHEMA + " has relations (" + relations.size() + ")");
        for (Relation r : relations.values()) {
            report(r.comment() != null && !r.comment().isBlank(), r.name() + ": the " + r.kind() + " has a comment");
            report(!r.columns().isEmpty(), r.name() + ": has columns (" + r.columns().size() + ")");
            List<String> badTypes = new ArrayList<>();
            List<String> noComment = new ArrayList<>();
            for (Column c : r.columns()) {
                if (!PLAIN_TYPES.containsKey(c.dataType())) {
                    badTypes.add(c.name() + " is " + c.dataType() + " (" + c.udtName() + ")");
                }
                if (c.comment() == null || c.comment().isBlank()) {
                    noComment.add(c.name() + " has no comment");
                }
            }
            reportAll(r.name() + ": every column has a plain type", r.name(), badTypes);
            reportAll(r.name() + ": every column has a comment", r.name(), noComment);
        }
        compareWithJdbcMetadata(relations);
        for (Relation r : relations.values()) {
            readEveryValue(r);
        }
        compareHeadline();
    }

    // Metabase's describe-database and describe-fields: relations from
    // pg_class with obj_description, columns from information_schema.columns
    // with col_description.
    Map<String, Relation> describeDatabase() throws SQLException {
        Map<String, Relation> relations = new LinkedHashMap<>();
        String tables = """
            SELECT c.relname AS name,
                   CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned table' WHEN 'v' THEN 'view'
                                  WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table' END AS kind,
                   obj_description(c.oid, 'pg_class') AS description
              FROM pg_catalog.pg_class c
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = ? AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
             ORDER BY c.relname""";
        try (PreparedStatement st = db.prepareStatement(tables)) {
            st.setString(1, SCHEMA);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString("name");
                    relations.put(name, new Relation(name, rs.getString("kind"), rs.getString("description"), new ArrayList<>()));
                }
            }
        }
        String fields = """
            SELECT c.table_name, c.column_name, c.data_type, c.udt_name, c.ordinal_position,
                   col_description(format('%I.%I', c.table_schema, c.table_name)::regclass, c.ordinal_position) AS comment
              FROM information_schema.columns c
             WHERE c.table_schema = ?
             ORDER BY c.table_name, c.ordinal_position""";
        List<String> stray = new ArrayList<>();
        try (PreparedStatement st = db.prepareStatement(fields)) {
            st.setString(1, SCHEMA);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    Relation r = relations.get(rs.getString("table_name"));
                    Column c = new Column(rs.getString("column_name"), rs.getString("data_type"),
                                          rs.getString("udt_name"), rs.getInt("ordinal_position"), rs.getString("comment"));
                    if (r == null) {
                        stray.add(rs.getString("table_name") + "." + c.name() + " is in information_schema.columns only");
                    } else {
                        r.columns().add(c);
                    }
                }
            }
        }
        reportAll("information_schema.columns lists only relations found in pg_class", "", stray);
        return relations;
    }

    // DatabaseMetaData.getTables/getColumns must give the same relations,
    // columns, types and comments as the catalogue queries.
    void compareWithJdbcMetadata(Map<String, Relation> relations) throws SQLException {
        DatabaseMetaData meta = db.getMetaData();
        String[] kinds = {"TABLE", "PARTITIONED TABLE", "VIEW", "MATERIALIZED VIEW", "FOREIGN TABLE"};
        Map<String, String> remarks = new TreeMap<>();
        try (ResultSet rs = meta.getTables(null, SCHEMA, "%", kinds)) {
            while (rs.next()) {
                remarks.put(rs.getString("TABLE_NAME"), rs.getString("REMARKS"));
            }
        }
        Map<String, String> comments = new TreeMap<>();
        relations.values().forEach(r -> comments.put(r.name(), r.comment()));
        report(remarks.keySet().equals(comments.keySet()), "getTables lists the relations of pg_class: " + remarks.keySet()
               + (remarks.keySet().equals(comments.keySet()) ? "" : " instead of " + comments.keySet()));
        report(remarks.equals(comments), "getTables gives the relations' comments as REMARKS");

        Map<String, List<String>> jdbcColumns = new LinkedHashMap<>();
        try (ResultSet rs = meta.getColumns(null, SCHEMA, "%", "%")) {
            while (rs.next()) {
                jdbcColumns.computeIfAbsent(rs.getString("TABLE_NAME"), k -> new ArrayList<>())
                    .add(describeColumn(rs.getString("COLUMN_NAME"), rs.getString("TYPE_NAME"),
                                        rs.getInt("ORDINAL_POSITION"), rs.getString("REMARKS")));
            }
        }
        List<String> problems = new ArrayList<>();
        for (Relation r : relations.values()) {
            List<String> expected = r.columns().stream()
                .map(c -> describeColumn(c.name(), c.udtName(), c.position(), c.comment())).toList();
            List<String> got = jdbcColumns.getOrDefault(r.name(), List.of());
            if (!got.equals(expected)) {
                problems.add(r.name() + ": getColumns gives " + got.size() + " columns " + difference(got, expected));
            }
        }
        for (String name : jdbcColumns.keySet()) {
            if (!relations.containsKey(name)) {
                problems.add(name + ": getColumns lists a relation pg_class does not");
            }
        }
        reportAll("getColumns gives the same columns (name, position, type, comment) as information_schema", "", problems);
    }

    // One column as the metadata comparison sees it.
    static String describeColumn(String name, String type, int position, String comment) {
        return position + ":" + name + ":" + type + ":" + comment;
    }

    // The first entry where two lists differ, for a failure message.
    static String difference(List<String> got, List<String> expected) {
        for (int i = 0; i < Math.max(got.size(), expected.size()); i++) {
            String g = i < got.size() ? got.get(i) : "(none)";
            String e = i < expected.size() ? expected.get(i) : "(none)";
            if (!g.equals(e)) {
                return "(first difference: " + g + " instead of " + e + ")";
            }
        }
        return "";
    }

    // SELECT * from the relation: result set columns as information_schema
    // says, every value read with the getter of its type, and rows there.
    // With the generated district every view has rows, including
    // cells_needing_attention and grading_quota.
    void readEveryValue(Relation r) {
        String sql = "SELECT * FROM " + quote(SCHEMA) + "." + quote(r.name());
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            List<String> problems = new ArrayList<>();
            if (md.getColumnCount() != r.columns().size()) {
                problems.add(md.getColumnCount() + " columns instead of " + r.columns().size());
            }
            for (int i = 1; i <= Math.min(md.getColumnCount(), r.columns().size()); i++) {
                Column c = r.columns().get(i - 1);
                PlainType t = PLAIN_TYPES.get(c.dataType());
                if (!md.getColumnName(i).equals(c.name())
                        || !md.getColumnTypeName(i).equals(c.udtName())
                        || (t != null && md.getColumnType(i) != t.jdbcType())) {
                    problems.add("column " + i + " is " + md.getColumnName(i) + " " + md.getColumnTypeName(i)
                                 + " (JDBC type " + md.getColumnType(i) + ") instead of " + c.name() + " " + c.udtName());
                }
            }
            reportAll(r.name() + ": result set columns match information_schema (names, types)", r.name(), problems);
            long rows = 0;
            long nulls = 0;
            while (rs.next()) {
                rows++;
                for (int i = 1; i <= r.columns().size(); i++) {
                    readValue(rs, i, r.columns().get(i - 1).dataType());
                    nulls += rs.wasNull() ? 1 : 0;
                }
            }
            report(true, r.name() + ": read every value with typed getters (" + rows + " rows x "
                   + r.columns().size() + " columns, " + nulls + " NULL)");
            report(rows > 0, r.name() + ": has rows (" + rows + ")");
        } catch (SQLException e) {
            report(false, r.name() + ": reading it failed: " + e.getMessage().replace('\n', ' '));
        }
    }

    // Read column i with the getter a BI tool uses for its type.
    static Object readValue(ResultSet rs, int i, String dataType) throws SQLException {
        return switch (dataType) {
            case "smallint" -> rs.getShort(i);
            case "integer" -> rs.getInt(i);
            case "bigint" -> rs.getLong(i);
            case "numeric" -> rs.getBigDecimal(i);
            case "double precision" -> rs.getDouble(i);
            case "date" -> rs.getDate(i);
            case "boolean" -> rs.getBoolean(i);
            default -> rs.getString(i);
        };
    }

    // A BI login (a member of chibo_reader) reads the views but no personal
    // data: the tables of members, memberships and attendance refuse it.
    void checkReaderLimits() throws SQLException {
        for (String table : List.of("chibo.members", "chibo.memberships", "chibo.attendance", "chibo.audit_log")) {
            String state = null;
            try (Statement st = db.createStatement()) {
                st.executeQuery("SELECT count(*) FROM " + table).close();
            } catch (SQLException e) {
                state = e.getSQLState();
            }
            report("42501".equals(state), "the BI login may not read " + table + " (SQLSTATE " + state + ")");
        }
    }

    // Every headline row holds the figures chibo.indicators() gives for its
    // unit and window (first_month..last_month).
    void compareHeadline() throws SQLException {
        String figures = String.join(", ", HEADLINE_FIGURES);
        String headline = "SELECT unit_code, year, first_month, last_month, " + figures
                          + " FROM chibo_report.headline ORDER BY unit_code, year";
        String indicators = "SELECT " + figures + " FROM chibo.indicators(?, ?, ?)";
        int rows = 0;
        try (Statement st = db.createStatement(); ResultSet h = st.executeQuery(headline);
             PreparedStatement ind = admin.prepareStatement(indicators)) {
            while (h.next()) {
                rows++;
                ind.setString(1, h.getString("unit_code"));
                ind.setDate(2, h.getDate("first_month"));
                ind.setDate(3, h.getDate("last_month"));
                List<String> differences = new ArrayList<>();
                try (ResultSet i = ind.executeQuery()) {
                    if (!i.next()) {
                        differences.add("chibo.indicators() returned no row");
                    } else {
                        for (String f : HEADLINE_FIGURES) {
                            long a = h.getLong(f);
                            long b = i.getLong(f);
                            if (a != b) {
                                differences.add(f + " " + a + " instead of " + b);
                            }
                        }
                    }
                }
                String what = "headline " + h.getString("unit_code") + " " + h.getInt("year") + " ("
                              + h.getDate("first_month") + ".." + h.getDate("last_month")
                              + ") holds the figures of chibo.indicators()";
                report(differences.isEmpty(), what + (differences.isEmpty() ? "" : ": " + String.join(", ", differences)));
            }
        }
        report(rows > 0, "headline has rows to compare with chibo.indicators() (" + rows + ")");
    }

    // A quoted SQL identifier.
    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    // One TAP line.
    void report(boolean passed, String what) {
        tests++;
        if (!passed) {
            failures++;
        }
        System.out.println((passed ? "ok " : "not ok ") + tests + " - " + what);
    }

    // One "ok" line if there are no problems, else one "not ok" per problem.
    void reportAll(String what, String prefix, List<String> problems) {
        if (problems.isEmpty()) {
            report(true, what);
        }
        for (String p : problems) {
            report(false, (prefix.isEmpty() ? "" : prefix + ": ") + p);
        }
    }
}
