package io.pgguard.it;

import io.pgguard.GuardBlockedException;
import io.pgguard.testkit.PgDatabase;
import io.pgguard.testkit.PostgresTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A type change whose USING does not read the column replaces every value: through raw pgjdbc the old values are
 * gone; through pgguard against a production target it is blocked and they stay.
 */
@PostgresTest
class TypeChangeDataLossIT {

    private static PgDatabase db;

    @BeforeAll
    static void schema(PgDatabase database) {
        db = database;
    }

    @BeforeEach
    void reset() throws SQLException {
        db.execute("DROP TABLE IF EXISTS tc_items", "CREATE TABLE tc_items (id int PRIMARY KEY, price text, qty int)",
                "INSERT INTO tc_items SELECT g, (g * 10)::text, g FROM generate_series(1, 5) g");
    }

    private static String prices() throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT string_agg(price::text, ',' ORDER BY id) FROM tc_items")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ALTER TABLE tc_items ALTER COLUMN price TYPE int USING 0",
        "ALTER TABLE tc_items ALTER COLUMN price TYPE numeric USING NULL",
        "ALTER TABLE tc_items ALTER COLUMN price SET DATA TYPE int USING qty"})
    void aUsingThatDoesNotReadTheColumnReplacesItsValues(String sql) throws SQLException {
        try (Connection c = db.connect(db.pgguardUrl(), PgDatabaseProps.production())) {
            GuardBlockedException e = assertThrows(GuardBlockedException.class, () -> c.createStatement().execute(sql));
            assertEquals("type-change-discards-values", e.ruleId());
        }
        assertEquals("10,20,30,40,50", prices());
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
        assertNotEquals("10,20,30,40,50", prices(), "raw pgjdbc replaced the values");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ALTER TABLE tc_items ALTER COLUMN price TYPE int USING price::int",
        "ALTER TABLE tc_items ALTER COLUMN price TYPE numeric USING tc_items.price::numeric"})
    void aUsingThatConvertsTheColumnKeepsItsValuesAndIsOnlyWarned(String sql) throws SQLException {
        try (Connection c = db.connect(db.pgguardUrl(), PgDatabaseProps.production()); Statement s = c.createStatement()) {
            s.execute(sql);
        }
        assertEquals("10,20,30,40,50", prices());
    }

    /** Connection properties of a production-declared target. */
    static final class PgDatabaseProps {
        static java.util.Properties production() {
            java.util.Properties p = new java.util.Properties();
            p.setProperty("pgguard.environment", "production");
            return p;
        }
    }
}
