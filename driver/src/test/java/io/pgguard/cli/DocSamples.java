package io.pgguard.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The command samples of the project's Markdown files, so that tests can run each command for real and compare: a
 * sample is a fenced block right after a {@code <!-- sample: lint examples/migrations -->} comment, and its lines
 * (after the {@code $ command} line, if any) must appear, in order and together, in the real output. Numbers that
 * change from run to run (milliseconds) are compared as {@code N}.
 */
record DocSamples(String file, int line, List<String> args, List<String> expected) {

    private static final Pattern MARKER = Pattern.compile("<!-- sample: (.+?) -->");

    /** The repository's root: the parent of the module the tests run in. */
    static Path root() {
        Path here = Path.of("").toAbsolutePath();
        return Files.isRegularFile(here.resolve("README.md")) && Files.isDirectory(here.resolve("driver")) ? here
                : here.getParent();
    }

    static List<DocSamples> of(Path markdown) throws IOException {
        List<String> lines = Files.readAllLines(markdown);
        List<DocSamples> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = MARKER.matcher(lines.get(i));
            if (!m.find()) {
                continue;
            }
            int open = i + 1;
            if (open >= lines.size() || !lines.get(open).startsWith("```")) {
                throw new IllegalStateException(markdown + ":" + (i + 1) + ": a sample marker without a block");
            }
            List<String> block = new ArrayList<>();
            int k = open + 1;
            for (; k < lines.size() && !lines.get(k).startsWith("```"); k++) {
                if (!lines.get(k).startsWith("$ ")) {
                    block.add(lines.get(k));
                }
            }
            out.add(new DocSamples(markdown.getFileName().toString(), i + 1, List.of(m.group(1).trim().split("\\s+")),
                    block));
            i = k;
        }
        return out;
    }

    static String normalise(String line) {
        return line.replaceAll("\\d+ ms\\b", "N ms").stripTrailing();
    }

    /** Null when the expected lines appear in {@code output}, in order and together; else what went wrong. */
    String mismatch(String output) {
        List<String> real = new ArrayList<>();
        for (String l : output.split("\n", -1)) {
            real.add(normalise(l));
        }
        List<String> want = new ArrayList<>();
        for (String l : expected) {
            want.add(normalise(l));
        }
        for (int start = 0; start + want.size() <= real.size(); start++) {
            if (real.subList(start, start + want.size()).equals(want)) {
                return null;
            }
        }
        return file + ":" + line + ": the sample of `" + String.join(" ", args) + "` is not what it prints now.\n"
                + "--- the sample\n" + String.join("\n", expected) + "\n--- the real output\n" + output;
    }
}
