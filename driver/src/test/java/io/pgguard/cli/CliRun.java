package io.pgguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** One run of the CLI in this JVM, through {@link Main#run}: its exit status, standard output and standard error. */
record CliRun(int status, String out, String err) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Runs {@code args} with {@code stdin} as standard input. */
    static CliRun of(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CliRun(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** {@code command} followed by {@code args}, with nothing on standard input. */
    static CliRun command(String command, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = command;
        System.arraycopy(args, 0, all, 1, args.length);
        return of("", all);
    }

    JsonNode json() throws Exception {
        return JSON.readTree(out);
    }

    @Override
    public String toString() {
        return "status " + status + "\n--- out\n" + out + "\n--- err\n" + err;
    }
}
