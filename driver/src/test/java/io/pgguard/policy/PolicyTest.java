package io.pgguard.policy;

import io.pgguard.classify.Classification;
import io.pgguard.classify.Classified;
import io.pgguard.classify.Classifier;
import io.pgguard.classify.Risk;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PolicyTest {

    private static final Target PROD = Target.production("test");
    private static final Target LOCAL = Target.fromUrl("jdbc:postgresql://localhost/app", Set.of());

    private static Classification one(String sql) {
        return Classified.of(17, sql).get(0);
    }

    @Test
    void defaultsBlockDestructiveAndUnknownOnlyForNonLocalTargets() {
        Policy p = Policy.defaults();
        assertEquals(Action.BLOCK, p.decide(one("DROP TABLE t"), PROD).action());
        assertEquals(Action.BLOCK, p.decide(one("SELECT 'open"), PROD).action());
        assertEquals(Action.WARN, p.decide(one("CREATE INDEX i ON t (a)"), PROD).action());
        assertEquals(Action.WARN, p.decide(one("ALTER TABLE t RENAME COLUMN a TO b"), PROD).action());
        assertEquals(Action.ALLOW, p.decide(one("SELECT * FROM t WHERE id = 1"), PROD).action());
        assertEquals(Action.WARN, p.decide(one("DROP TABLE t"), LOCAL).action());
        assertEquals(Action.ALLOW, p.decide(one("CREATE TABLE t (id bigint)"), LOCAL).action());
    }

    @Test
    void theDecidingFindingIsNamed() {
        Decision d = Policy.defaults().decide(one("DELETE FROM orders"), PROD);
        assertEquals("unbounded-delete", d.finding().ruleId());
        assertNull(Policy.defaults().decide(one("SELECT 1"), PROD).finding());
    }

    @Test
    void configuredActionsApplyToEveryTarget() {
        Policy p = Policy.defaults().with(Risk.DESTRUCTIVE, Action.BLOCK).with(Risk.UNSAFE, Action.ALLOW);
        assertEquals(Action.BLOCK, p.decide(one("TRUNCATE t"), LOCAL).action());
        assertEquals(Action.ALLOW, p.decide(one("CREATE INDEX i ON t (a)"), PROD).action());
    }

    @Test
    void anOverrideNeedsTheRuleAndAReason() {
        Policy p = Policy.defaults();
        Decision allowed = p.decide(one("/* pgguard:allow drop-table reason=\"retire legacy\" */ DROP TABLE t"), PROD);
        assertEquals(Action.WARN, allowed.action());
        assertEquals("drop-table", allowed.overridden().get(0).ruleId());
        assertEquals(Action.BLOCK, p.decide(one("/* pgguard:allow drop-table */ DROP TABLE t"), PROD).action());
        assertEquals(Action.BLOCK,
                p.decide(one("/* pgguard:allow truncate reason=\"x\" */ DROP TABLE t"), PROD).action());
        // Allowing one rule does not let another through.
        assertEquals(Action.BLOCK, p.decide(one(
                "/* pgguard:allow drop-table reason=\"x\" */ DROP TABLE a, b CASCADE"), PROD).action());
        Policy process = new Policy(Map.of(), Set.of("truncate"), false);
        assertEquals(Action.WARN, process.decide(one("TRUNCATE t"), PROD).action());
    }

    @Test
    void guardAnswersARepeatedStringFromItsCache() {
        Guard guard = new Guard(new Classifier(17), PROD, Policy.defaults());
        Verdict first = guard.check("SELECT 1; DELETE FROM t");
        assertSame(first, guard.check("SELECT 1; DELETE FROM t"));
        assertEquals(Action.BLOCK, first.action());
        assertEquals(2, first.decisions().size());
        assertTrue(first.deciding().classification().hasRule("unbounded-delete"));
    }
}
