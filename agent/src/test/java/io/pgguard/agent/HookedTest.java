package io.pgguard.agent;

import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.pool.TypePool;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The transformation-time check of what the advice reads, against pgjdbc's class files as the agent sees them. */
class HookedTest {

    private static TypeDescription describe(String name) {
        return TypePool.Default.of(ClassFileLocator.ForClassLoader.of(HookedTest.class.getClassLoader()))
                .describe(name).resolve();
    }

    @Test
    void pgjdbcHasWhatTheStatementAdviceReads() {
        List<String> missing = new ArrayList<>();
        TypeDescription statement = describe(PgGuardAgent.PG_STATEMENT);
        Hooked.require(statement, missing).field("connection").method("execute", 3, "org.postgresql.core.CachedQuery")
                .method("addBatch", 1, "java.lang.String");
        assertEquals(List.of(), missing);
        assertTrue(Hooked.has(statement, "internalExecuteBatch", 0));
        Hooked.require(describe(PgGuardAgent.PG_PREPARED_STATEMENT), missing).field("preparedQuery")
                .field("connection");
        Hooked.require(describe(PgGuardAgent.QUERY_EXECUTOR), missing).method("startCopy", 2, "java.lang.String");
        assertEquals(List.of(), missing);
    }

    @Test
    void whatIsMissingIsNamed() {
        List<String> missing = new ArrayList<>();
        TypeDescription statement = describe(PgGuardAgent.PG_STATEMENT);
        Hooked.require(statement, missing).field("queryText").method("execute", 3, "java.lang.String")
                .method("startCopy", 2, null);
        assertEquals(List.of("field queryText", "method execute(java.lang.String, ...)", "method startCopy()"),
                missing);
        assertFalse(Hooked.has(statement, "internalExecuteBatch", 1));
    }
}
