package dev.ferry.cli;

import dev.ferry.authoring.trial.LivePage;
import dev.ferry.authoring.trial.MappingTests;
import dev.ferry.authoring.trial.Sample;
import dev.ferry.authoring.trial.Trial;
import dev.ferry.authoring.trial.TrialDatabase;
import dev.ferry.authoring.trial.TrialReport;
import dev.ferry.config.FerrySettings;
import dev.ferry.mapping.Mapping;
import dev.ferry.mapping.MappingException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code ferry try}: what an integration's mapping makes of a sample (a file, or one live page), writing nothing. */
@Command(name = "try", description = {"Run selection, flattening, mapping, lookups and the dedupe decision of a mapping on a "
        + "sample, without writing anything: prints the rows that would be staged, fields never found and every error.",
        "Exit 0 = no record rejected, 1 = errors, 2 = the mapping or input cannot be used."})
public final class TryCommand implements Callable<Integer> {

    @Option(names = "--mapping", required = true, description = "The integration (its mapping in the mappings folder) or a mapping file.")
    String mapping;
    @Option(names = "--input", description = "A sample: .json (one page, selected by source.records), .csv (header line) or .jsonl.")
    Path input;
    @Option(names = "--live", description = "Fetch one page from the integration's ferry-http route instead of a file.")
    boolean live;
    @Option(names = "--routes", description = "Routes folder for --live (default: ferry.routes-dir).")
    Path routes;
    @Option(names = "--no-db", description = "Do not read the database (lookups skipped, dedupe within the sample).")
    boolean noDb;
    @Option(names = "--encoding", defaultValue = "UTF-8", description = "Encoding of the input (default ${DEFAULT-VALUE}).")
    String encoding;
    @Option(names = "--delimiter", defaultValue = ",", description = "CSV delimiter (default '${DEFAULT-VALUE}'; \\t for tab).")
    String delimiter;

    @Override
    public Integer call() throws Exception {
        if (live == (input != null)) {
            System.err.println("ferry try needs exactly one of --input FILE or --live");
            return 2;
        }
        FerrySettings settings = FerryCli.settings();
        Mapping m;
        try {
            m = find(mapping, settings.mappingsDir(), settings.groovyTrusted());
        } catch (MappingException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        TrialDatabase.Opened db = noDb ? new TrialDatabase.Opened(null, "--no-db") : TrialDatabase.open(settings);
        Sample sample;
        if (live) {
            try {
                sample = LivePage.fetch(m, routes == null ? settings.routesDir() : routes, db.dataSource());
            } catch (RuntimeException e) { // no ferry-http route, a refused answer, the API down: say so, no stack trace
                System.err.println("ferry try --live: " + e.getMessage());
                return 2;
            }
        } else {
            if (!Files.isRegularFile(input)) {
                System.err.println(input + ": no such file");
                return 2;
            }
            sample = Sample.read(input, m, Charset.forName(encoding), delimiter.equals("\\t") ? '\t' : delimiter.charAt(0));
        }
        Trial.Result result = Trial.run(m, sample, db.dataSource());
        System.out.print(TrialReport.format(result));
        if (db.why() != null) {
            System.out.println("note: database not used: " + db.why());
        }
        return result.errors().isEmpty() ? 0 : 1;
    }

    static Mapping find(String nameOrFile, Path mappingsDir, boolean trustedGroovy) {
        return MappingTests.find(nameOrFile, mappingsDir, trustedGroovy);
    }
}
