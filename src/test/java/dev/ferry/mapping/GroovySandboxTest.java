package dev.ferry.mapping;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Mapping expressions compile in a sandbox unless the operator trusts them (ferry.groovy.trusted). */
class GroovySandboxTest {

    @TempDir
    Path dir;

    private Path mapping(String expr) throws IOException {
        return Files.writeString(dir.resolve("m.yaml"), """
                integration: t
                key: "{id}"
                fields:
                  id:  { from: id }
                  out: { expr: %s }
                target: { table: t }
                """.formatted(new ObjectMapper().writeValueAsString(expr)));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "new File('/etc/passwd').text",
            "'/proc/self/environ' as File",
            "java.nio.file.Files.readString(java.nio.file.Path.of('/etc/passwd'))",
            "new URL('http://example.com').text",
            "'http://example.com'.toURL().text",
            "'ls /'.execute().text",
            "Runtime.getRuntime().exec('ls')",
            "System.getenv('FERRY_DB_PASSWORD')",
            "System.exit(1)",
            "Class.forName('java.io.File')",
            "id.getClass().forName('java.lang.Runtime')",
            "this.class.classLoader",
            "id.metaClass",
            "id.'class'",
            "id[\"cla\" + \"ss\"]",
            "id.\"${'getClass'}\"()",
            "Eval.me('1 + 1')",
            "new GroovyShell().evaluate('1')",
            "evaluate('1 + 1')",
            "Thread.start { }",
            "def f(x) { x }; f(1)",
            "id.getAt('cla' + 'ss')",
            "[id][0 + 0]",
    })
    void anExpressionReachingOutsideTheRecordIsRefusedAtLoadNamingFileAndField(String expr) throws IOException {
        Path file = mapping(expr);
        assertThatThrownBy(() -> MappingLoader.load(file))
                .isInstanceOf(MappingException.class)
                .hasMessageStartingWith(file + ": field 'out': ");
    }

    @Test
    void anExpressionThatOpensAFileNamesTheSandboxAndTheWayToTrustIt() throws IOException {
        Path file = mapping("new File('/etc/passwd').text");
        assertThatThrownBy(() -> MappingLoader.load(file))
                .hasMessage(file + ": field 'out': expression is refused by the Groovy sandbox: type java.io.File is not allowed (line 1); "
                        + "set ferry.groovy.trusted=true to allow any Groovy");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "key.toLowerCase()",
            "id == null ? 'absent' : id.trim().toUpperCase()",
            "new BigDecimal('1.50') * 2 + Math.max(1, 2)",
            "java.time.LocalDate.parse('2026-11-23').plusDays(1).toString()",
            "[1, 2, 3].collect { it * 2 }.sum()",
            "row.keySet().join(',')",
            "record['id'] + '-' + record.id + id[0..1] + id[-1]",
    })
    void everydayExpressionsCompileInTheSandbox(String expr) throws IOException {
        assertThat(MappingLoader.load(mapping(expr)).columns()).contains("out");
    }

    @Test
    void aTrustedMappingMayUseAnyGroovy() throws IOException {
        assertThat(MappingLoader.load(mapping("new File('x').name"), true).columns()).contains("out");
    }
}
