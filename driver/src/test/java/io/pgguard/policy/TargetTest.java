package io.pgguard.policy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TargetTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "jdbc:postgresql://localhost:5432/app|true",
        "jdbc:pgguard:postgresql://localhost/app|true",
        "jdbc:postgresql://127.0.0.1/app|true",
        "jdbc:postgresql://127.1.2.3:6543/app|true",
        "jdbc:postgresql://[::1]:5432/app|true",
        "jdbc:postgresql:app|true",
        "jdbc:postgresql:///app|true",
        "jdbc:postgresql://localhost,127.0.0.1:5433/app|true",
        "jdbc:postgresql://localhost,db.prod.internal/app|false",
        "jdbc:postgresql://db.prod.internal/app|false",
        "jdbc:postgresql://10.0.0.5/app|false",
        "jdbc:postgresql://[2001:db8::1]:5432/app|false",
        "jdbc:postgresql://127.0.0.1.nip.io/app|false",
        "jdbc:postgresql://localhost.example.com/app|false",
        "jdbc:postgresql://127.0.0.256/app|false",
        "jdbc:postgresql:///app?host=/var/run/postgresql|true",
        "jdbc:postgresql:///app?PGHOST=prod.db|false",
        // pgjdbc connects to the parameter's host, not the one before the path
        "jdbc:postgresql://localhost/app?host=prod.db|false",
        "jdbc:postgresql://localhost/app?PGHOST=prod.db|false",
        "jdbc:pgguard:postgresql://127.0.0.1:5432/app?sslmode=disable&HOST=prod.db:5432|false",
        "jdbc:postgresql://localhost/app?host=127.0.0.1|true",
        "jdbc:postgresql://compose-db:5432/app|false",
    })
    void localOnlyWhenEveryHostIsLoopbackOrASocket(String url, boolean local) {
        assertEquals(local, Target.fromUrl(url, Set.of()).local(), url);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "jdbc:postgresql://compose-db:5432/app|true",
        "jdbc:postgresql://COMPOSE-DB/app|true",
        "jdbc:postgresql://compose-db,prod/app|false",
    })
    void listedLocalHostsCount(String url, boolean local) {
        assertEquals(local, Target.fromUrl(url, Set.of("compose-db")).local(), url);
    }

    @org.junit.jupiter.api.Test
    void aHostLocalByTheSettingSaysSo() {
        assertEquals("host compose-db is local (compose-db is listed in pgguard.localHosts)",
                Target.fromUrl("jdbc:postgresql://compose-db/app", Set.of("compose-db")).reason());
        assertEquals("host localhost is local", Target.fromUrl("jdbc:postgresql://localhost/app", Set.of()).reason());
    }
}
