package io.pgguard.jdbc;

import io.pgguard.policy.GuardConfig;
import io.pgguard.policy.Target;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalityTest {

    private static GuardConfig config(String... kv) throws Exception {
        Map<String, String> m = new java.util.HashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return GuardConfig.load(m, new Properties(), Map.of());
    }

    private static Properties props(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return p;
    }

    @Test
    void hostsComeFromTheUrlOrThePghostProperty() throws Exception {
        assertTrue(Target.of("jdbc:postgresql://localhost:5432/app", props(), config()).local());
        assertFalse(Target.of("jdbc:postgresql://localhost,[2001:db8::2]:5432/app", props(), config())
                .local());
        assertTrue(Target.of("jdbc:postgresql://[::1]:5432/app", props(), config()).local());
        assertFalse(Target.of("jdbc:postgresql:app", props("PGHOST", "db.prod"), config()).local());
        assertTrue(Target.of("jdbc:postgresql:app", props("PGHOST", "127.0.0.1"), config()).local());
    }

    @Test
    void aUnixSocketIsLocalAndAServiceFileIsNot() throws Exception {
        Target socket = Target.of("jdbc:postgresql://ignored/app?socketFactory="
                + "org.newsclub.net.unix.AFUNIXSocketFactory$FactoryArg&socketFactoryArg=/var/run/postgresql/.s.PGSQL.5432",
                props(), config());
        assertTrue(socket.local(), socket.reason());
        Target service = Target.of("jdbc:postgresql://localhost/app?service=prod", props(), config());
        assertFalse(service.local(), "the service file decides the host: fail closed");
    }

    @Test
    void anyOtherSocketFactoryChoosesItsOwnHostAndIsNotLocal() throws Exception {
        // Cloud SQL's connector: no host in the URL (pgjdbc's default would be localhost), the instance elsewhere
        Target cloud = Target.of("jdbc:postgresql:///app?cloudSqlInstance=p:r:i"
                + "&socketFactory=com.google.cloud.sql.postgres.SocketFactory", props(), config());
        assertFalse(cloud.local(), cloud.reason());
        Target pathArgument = Target.of("jdbc:postgresql://localhost/app", props("socketFactory",
                "com.example.TunnelSocketFactory", "socketFactoryArg", "/etc/tunnel.conf"), config());
        assertFalse(pathArgument.local(), "a path argument does not make any factory a Unix socket");
        // As in pgjdbc, the URL's parameter wins over the property.
        String cloudSql = "jdbc:postgresql:///app?socketFactory=com.google.cloud.sql.postgres.SocketFactory";
        Target overridden = Target.of(cloudSql,
                props("socketFactory", "org.newsclub.net.unix.AFUNIXSocketFactory$FactoryArg",
                        "socketFactoryArg", "/var/run/postgresql/.s.PGSQL.5432"), config());
        assertFalse(overridden.local(), overridden.reason());
    }

    @Test
    void aDataSourcesConnectionIsLocalOnlyWhenTheHostItReachedIs() throws Exception {
        // The pool passed PGHOST as a property: the URL alone says localhost.
        Target t = Locality.decide("jdbc:postgresql:app", props(), config(), null, "db.prod");
        assertFalse(t.local());
        assertEquals("connected to host db.prod, which is not local", t.reason());
        assertTrue(Locality.decide("jdbc:postgresql:app", props(), config(), null, "localhost").local());
        // pgjdbc keeps an IPv6 literal in brackets
        assertTrue(Locality.decide("jdbc:postgresql://[::1]/app", props(), config(), null, "[::1]").local());
        assertFalse(Locality.decide("jdbc:postgresql://[::1]/app", props(), config(), null, "[2001:db8::2]")
                .local());
        assertTrue(Locality.decide("jdbc:postgresql://db/app", props(), config("pgguard.localHosts", "db"), null, "db")
                .local());
    }

    @Test
    void declaredProductionWinsOverALoopbackHost() throws Exception {
        Target t = Locality.decide("jdbc:postgresql://localhost/app", props(), config("pgguard.environment",
                "production"), null, null);
        assertFalse(t.local());
        assertEquals("pgguard.environment=production", t.reason());
    }

    @Test
    void localHostsNameComposeServices() throws Exception {
        assertTrue(Target.of("jdbc:postgresql://db:5432/app", props(),
                config("pgguard.localHosts", "db")).local());
    }

    @Test
    void theUrlReachesPgjdbcWithoutThePrefixOrOurSettings() {
        Map<String, String> settings = new java.util.LinkedHashMap<>();
        String url = GuardConfig.settingsFromUrl(GuardDriver.toPgjdbcUrl(
                "jdbc:pgguard:postgresql://h1:5432,h2/app?ssl=true&pgguard.environment=production&"
                        + "pgguard.allow=drop-table%2Ctruncate&ApplicationName=x"), settings);
        assertEquals("jdbc:postgresql://h1:5432,h2/app?ssl=true&ApplicationName=x", url);
        assertEquals(Map.of("pgguard.environment", "production", "pgguard.allow", "drop-table,truncate"), settings);
        assertEquals("jdbc:postgresql://h/app", GuardDriver.toPgjdbcUrl("jdbc:pgguard:postgresql://h/app"));
        assertEquals("jdbc:postgresql://h/db?x=jdbc:pgguard:postgresql:",
                GuardDriver.toPgjdbcUrl("jdbc:pgguard:postgresql://h/db?x=jdbc:pgguard:postgresql:"));
    }
}
