package io.pgguard.cli;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandLineTest {

    private static final Set<String> VALUED = Set.of("--url", "--format");
    private static final Set<String> FLAGS = Set.of("--dry-run");

    @Test
    void optionsTakeTheirValueEitherWayFlagsNoneAndTheRestStaysInOrder() throws Exception {
        CommandLine line = CommandLine.parse(new String[] {"b.sql", "--url", "jdbc:postgresql://h/db?x=1",
            "--format=json", "--dry-run", "a.sql"}, VALUED, FLAGS);
        assertEquals("jdbc:postgresql://h/db?x=1", line.get("--url", null));
        assertEquals("json", line.get("--format", "text"));
        assertTrue(line.has("--dry-run"));
        assertEquals(List.of("b.sql", "a.sql"), line.rest());
        assertFalse(CommandLine.parse(new String[0], VALUED, FLAGS).has("--dry-run"));
    }

    @Test
    void anUnknownOptionAMissingValueOrAValuedFlagIsAUsageError() {
        assertTrue(assertThrows(CommandLine.UsageException.class,
                () -> CommandLine.parse(new String[] {"--urll", "x"}, VALUED, FLAGS)).getMessage()
                .contains("unknown option --urll"));
        assertTrue(assertThrows(CommandLine.UsageException.class,
                () -> CommandLine.parse(new String[] {"a.sql", "--url"}, VALUED, FLAGS)).getMessage()
                .contains("--url needs a value"));
        assertThrows(CommandLine.UsageException.class,
                () -> CommandLine.parse(new String[] {"--dry-run=yes"}, VALUED, FLAGS));
    }
}
