package dev.ferry.cli;

import dev.ferry.authoring.trial.MappingTests;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code ferry test}: the mapping tests ({@code *.test.yaml}) in the given files or folders, like unit tests in CI. */
@Command(name = "test", description = {"Run mapping tests (<name>.test.yaml beside the mappings): samples with the rows, "
        + "conditions and rejections they must give. Writes nothing.", "Exit 0 = all passed, 1 = a test failed (with a diff)."})
public final class MappingTestCommand implements Callable<Integer> {

    @Parameters(arity = "0..*", paramLabel = "PATH", description = "Test files or folders (default: the mappings folder).")
    List<Path> paths = List.of();

    @Override
    public Integer call() throws Exception {
        var settings = FerryCli.settings();
        List<Path> where = paths.isEmpty() ? List.of(settings.mappingsDir()) : paths;
        List<MappingTests.Outcome> outcomes = MappingTests.run(where, settings.groovyTrusted());
        System.out.print(MappingTests.format(outcomes));
        if (outcomes.isEmpty()) {
            System.out.println("no test files (*" + MappingTests.SUFFIX + ") in " + where);
            return 1;
        }
        return outcomes.stream().allMatch(MappingTests.Outcome::passed) ? 0 : 1;
    }
}
