package dev.ferry.authoring.validate;

import dev.ferry.authoring.schema.BlockSchemas;
import dev.ferry.authoring.trial.MappingTests;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * {@code ferry validate}: checks route files, mapping files and reconciliation files before deployment and reports
 * every problem as {@code file:line:column: what is wrong (hint)}. A file is a route file when it is a YAML list (the
 * Camel YAML DSL), a reconciliation file when it is named {@code *.reconcile.yaml}, a mapping file otherwise.
 */
public final class FerryValidator implements AutoCloseable {

    /** What one validation found, and what it could not check. */
    public record Result(List<Path> files, List<Problem> problems, List<String> notes) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    private final CamelCatalogs camel = new CamelCatalogs();
    private final EndpointCheck endpoints;
    private final RouteFileCheck routes;
    private final MappingFileCheck mappings;
    private final ReconcileFileCheck reconciles;
    private final TargetTableCheck tables;

    /**
     * @param dataSource the database the mappings' target tables live in, or null to skip the table check
     * @param trustedGroovy {@code ferry.groovy.trusted}: expressions compile without the sandbox
     */
    public FerryValidator(DataSource dataSource, boolean trustedGroovy) {
        this.endpoints = new EndpointCheck(BlockSchemas.load(), camel);
        this.routes = new RouteFileCheck(camel, endpoints);
        this.mappings = new MappingFileCheck(trustedGroovy);
        this.reconciles = new ReconcileFileCheck(trustedGroovy);
        this.tables = dataSource == null ? null : new TargetTableCheck(dataSource);
    }

    /** Validates files and, recursively, the {@code *.yaml}/{@code *.yml} files of directories. */
    public Result validate(List<Path> paths) {
        List<Path> files = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> walk = Files.walk(p)) {
                    walk.filter(Files::isRegularFile).filter(FerryValidator::isYaml).sorted(Comparator.naturalOrder()).forEach(files::add);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot list " + p, e);
                }
            } else if (Files.isRegularFile(p) && p.getFileName().toString().endsWith(MappingTests.SUFFIX)) {
                notes.add(p + ": a ferry test file, not checked here (ferry test runs it)");
            } else if (Files.isRegularFile(p)) {
                files.add(p);
            } else {
                problems.add(new Problem(p, 1, 1, "no such file or directory"));
            }
        }
        endpoints.integrationUses.clear();
        Map<String, Path> integrations = new TreeMap<>();
        for (Path f : files) {
            problems.addAll(validateFile(f, notes, integrations));
        }
        if (!integrations.isEmpty()) { // mapping files were among the paths: every block's integration must have one
            for (EndpointCheck.IntegrationUse use : endpoints.integrationUses) {
                if (!integrations.containsKey(use.integration())) {
                    String hint = Suggestions.didYouMean(use.integration(), integrations.keySet());
                    problems.add(use.doc().problemInScalar(use.uri(), use.scheme().length() + 1, use.scheme() + ": no mapping file defines"
                            + " integration '" + use.integration() + "'" + (hint.isEmpty() ? " (mappings: "
                            + String.join(", ", integrations.keySet()) + ")" : hint)));
                }
            }
        }
        return new Result(files, problems, notes);
    }

    List<Problem> validateFile(Path file, List<String> notes, Map<String, Path> integrations) {
        List<Problem> out = new ArrayList<>();
        Object parsed = YamlDocument.parse(file);
        if (parsed instanceof Problem p) {
            out.add(p);
            return out;
        }
        YamlDocument doc = (YamlDocument) parsed;
        if (doc.root == null) {
            out.add(new Problem(file, 1, 1, "the file is empty"));
        } else if (file.getFileName().toString().contains(".reconcile.")) {
            reconciles.check(doc, out);
        } else if (doc.json.isArray()) {
            out.addAll(doc.duplicates);
            routes.check(doc, out);
        } else {
            boolean sound = mappings.check(doc, out);
            String integration = doc.json.path("integration").asText("");
            Path clash = integration.isEmpty() ? null : integrations.putIfAbsent(integration, file);
            if (clash != null) {
                out.add(doc.problemAt(doc.value("/integration"), "integration '" + integration + "' is also defined by " + clash
                        + " (one mapping file per integration)"));
            }
            if (sound && tables != null) {
                try {
                    tables.check(doc, out);
                } catch (SQLException e) {
                    notes.add(file + ": target table not checked, the database did not answer: " + e.getMessage());
                }
            }
        }
        return out;
    }

    private static boolean isYaml(Path p) {
        String n = p.getFileName().toString();
        // ferry test's fixtures live beside the mappings; ferry test reads and checks them
        return (n.endsWith(".yaml") || n.endsWith(".yml")) && !n.endsWith(MappingTests.SUFFIX);
    }

    @Override
    public void close() {
        camel.close();
    }
}
