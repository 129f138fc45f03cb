package io.pgguard.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PgUrlsTest {

    @Test
    void databaseName() {
        assertEquals("postgres", PgUrls.databaseName("jdbc:postgresql://localhost:5432/postgres"));
        assertEquals("db", PgUrls.databaseName("jdbc:postgresql://h1:1,h2:2/db?sslmode=disable"));
        assertEquals("", PgUrls.databaseName("jdbc:postgresql://localhost:5432"));
        assertEquals("db", PgUrls.databaseName("jdbc:postgresql:db"));
    }

    @Test
    void withDatabase() {
        assertEquals("jdbc:postgresql://localhost:5432/other",
                PgUrls.withDatabase("jdbc:postgresql://localhost:5432/postgres", "other"));
        assertEquals("jdbc:postgresql://h:1/other?loggerLevel=OFF",
                PgUrls.withDatabase("jdbc:postgresql://h:1/test?loggerLevel=OFF", "other"));
        assertEquals("jdbc:postgresql://h:1/other?a=b",
                PgUrls.withDatabase("jdbc:postgresql://h:1?a=b", "other"));
        assertEquals("jdbc:postgresql://h:1/other", PgUrls.withDatabase("jdbc:postgresql://h:1/", "other"));
    }

    @Test
    void credentialsAndPgguardUrl() {
        assertEquals("jdbc:postgresql://h/db?user=u&password=p%26w",
                PgUrls.withCredentials("jdbc:postgresql://h/db", "u", "p&w"));
        assertEquals("jdbc:postgresql://h/db?user=x&password=p",
                PgUrls.withCredentials("jdbc:postgresql://h/db?user=x", "u", "p"));
        assertEquals("jdbc:pgguard:postgresql://h/db", PgUrls.toPgguard("jdbc:postgresql://h/db"));
    }
}
