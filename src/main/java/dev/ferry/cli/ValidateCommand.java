package dev.ferry.cli;

import com.mysql.cj.jdbc.MysqlDataSource;
import dev.ferry.authoring.validate.FerryValidator;
import dev.ferry.authoring.validate.Problem;
import dev.ferry.config.FerrySettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ferry validate [paths]}: route, mapping and reconciliation files checked before deployment, one
 * {@code file:line:column: problem (hint)} line per mistake; exit 1 when there is any, so CI can gate on it.
 */
@Command(name = "validate", description = {"Check route, mapping and reconciliation files: file:line:column: what is wrong (hint).",
        "Default paths: the routes and mappings folders. With a reachable database (--db, else Ferry's configured one) the "
                + "mappings' target tables are checked too.", "Exit 0 = no problem, 1 = problems found, 2 = could not run."})
public final class ValidateCommand implements Callable<Integer> {

    @Parameters(arity = "0..*", paramLabel = "PATH", description = "Files or folders (searched for *.yaml, *.yml).")
    List<Path> paths;

    @Option(names = "--db", paramLabel = "JDBC-URL", description = "Database holding the target tables (password from FERRY_DB_PASSWORD); default ferry.db.url.")
    String dbUrl;

    @Option(names = "--db-user", description = "User for --db; default ferry.db.username.")
    String dbUser;

    @Option(names = "--no-db", description = "Do not check target tables, not even against the configured database.")
    boolean noDb;

    @Override
    public Integer call() {
        FerrySettings settings = FerryCli.settings();
        List<Path> targets = paths == null || paths.isEmpty() ? List.of(settings.routesDir(), settings.mappingsDir()) : paths;
        DataSource db = noDb ? null : reachable(dbUrl != null ? dbUrl : settings.dbUrl(),
                dbUser != null ? dbUser : settings.dbUsername(), dbUrl != null ? System.getenv("FERRY_DB_PASSWORD") : settings.dbPassword());
        try (FerryValidator validator = new FerryValidator(db, settings.groovyTrusted())) {
            FerryValidator.Result result = validator.validate(targets);
            result.problems().forEach(p -> System.out.println(p));
            result.notes().forEach(n -> System.err.println("note: " + n));
            System.err.printf("%d file(s) checked, %d problem(s)%s%n", result.files().size(), result.problems().size(),
                    db == null ? "; target tables not checked (no database)" : "");
            return result.ok() ? 0 : 1;
        } catch (RuntimeException e) {
            System.err.println("ferry validate could not run: " + e.getMessage());
            return 2;
        }
    }

    /** The database when it answers within a few seconds; otherwise a note and no table check (validate runs in CI too). */
    private static DataSource reachable(String url, String user, String password) {
        if (url == null || url.isBlank()) {
            return null;
        }
        MysqlDataSource ds = new MysqlDataSource();
        ds.setUrl(url);
        ds.setUser(user);
        ds.setPassword(password == null ? "" : password);
        try {
            ds.setConnectTimeout(3000);
            try (Connection c = ds.getConnection()) {
                return ds;
            }
        } catch (SQLException e) {
            // the url without its query, where a password could be written
            System.err.println("note: database " + url.replaceAll("\\?.*", "") + " not reachable (" + e.getClass().getSimpleName() + "); target tables not checked");
            return null;
        }
    }
}
