package io.pgguard.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A migration file's name as the user gave it and its text, decoded as strict UTF-8. */
record SourceFile(String name, String text) {

    /** Input that cannot be linted: a missing or unreadable file, or bytes that are not UTF-8. */
    static final class InputException extends Exception {
        final int line;
        final int column;

        InputException(String message) {
            this(message, 0, 0);
        }

        InputException(String message, int line, int column) {
            super(message);
            this.line = line;
            this.column = column;
        }
    }

    /** An input that could not be read, as a lint problem (an input error) at the position it names. */
    static Problem problem(String name, InputException e) {
        String message = e.getMessage();
        String prefix = e.line > 0 ? name + ":" + e.line + ":" + e.column + ": " : name + ": ";
        if (message.startsWith(prefix)) {
            message = message.substring(prefix.length());
        }
        return new Problem(name, e.line, e.column, message, true);
    }

    static SourceFile read(Path path, String name) throws InputException {
        try {
            // the common case in one pass, with no copy of the bytes kept (ASCII becomes a one-byte-per-char string)
            String text = Files.readString(path, StandardCharsets.UTF_8);
            return new SourceFile(name, !text.isEmpty() && text.charAt(0) == '\uFEFF' ? text.substring(1) : text);
        } catch (java.nio.charset.CharacterCodingException e) {
            // read again below, for the position of the first byte that is not UTF-8
        } catch (NoSuchFileException e) {
            throw new InputException(name + ": no such file");
        } catch (IOException e) {
            throw new InputException(name + ": cannot read: " + e.getMessage());
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new InputException(name + ": no such file");
        } catch (IOException e) {
            throw new InputException(name + ": cannot read: " + e.getMessage());
        }
        return decode(bytes, name);
    }

    static SourceFile readStdin(InputStream in) throws InputException {
        try {
            return decode(in.readAllBytes(), "-");
        } catch (IOException e) {
            throw new InputException("-: cannot read standard input: " + e.getMessage());
        }
    }

    static SourceFile decode(byte[] bytes, String name) throws InputException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            int offset = in.position();
            int line = 1;
            int lineStart = 0;
            for (int i = 0; i < offset; i++) {
                if (bytes[i] == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            }
            throw new InputException(name + ":" + line + ":" + (offset - lineStart + 1)
                    + ": not valid UTF-8 (byte 0x" + String.format("%02x", bytes[offset] & 0xff)
                    + "); save the file as UTF-8", line, offset - lineStart + 1);
        }
        decoder.flush(out);
        out.flip();
        String text = out.toString();
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
            text = text.substring(1);
        }
        return new SourceFile(name, text);
    }

    /** A file to read when its turn comes: a path, or standard input ({@code path} null). */
    record Input(String name, Path path, String text) {
        Input(String name, Path path) {
            this(name, path, null);
        }

        /** SQL that is not a file of its own: a Liquibase XML changelog's {@code <sql>} element. */
        static Input inline(String name, String text) {
            return new Input(name, null, text);
        }

        SourceFile read(InputStream in) throws InputException {
            if (text != null) {
                return new SourceFile(name, text);
            }
            return path == null ? readStdin(in) : SourceFile.read(path, name);
        }
    }

    /**
     * The inputs named, in order, once each, without reading them: a directory stands for its {@code *.sql} files in
     * the order Flyway applies them ({@link MigrationOrder}), {@code -} for standard input.
     */
    static List<Input> list(List<String> paths) throws InputException {
        List<Input> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String p : paths) {
            if (p.equals("-")) {
                if (seen.add(p)) {
                    out.add(new Input("-", null));
                }
                continue;
            }
            Path path = Path.of(p);
            boolean directory = Files.isDirectory(path);
            // once each, however it is named (./a.sql, a link to it)
            if (!directory && !seen.add(History.key(path).toString())) {
                continue;
            }
            if (directory) {
                List<Path> sql = new ArrayList<>();
                boolean subdirectories = false;
                try (java.nio.file.DirectoryStream<Path> listing = Files.newDirectoryStream(path)) {
                    for (Path f : listing) {
                        if (f.getFileName().toString().endsWith(".sql") && Files.isRegularFile(f)) {
                            sql.add(f);
                        } else if (Files.isDirectory(f)) {
                            subdirectories = true;
                        }
                    }
                    sql = MigrationOrder.sorted(sql);
                } catch (IOException e) {
                    throw new InputException(p + ": cannot list directory: " + e.getMessage());
                }
                if (sql.isEmpty()) {
                    throw new InputException(p + ": directory holds no .sql files" + (subdirectories
                            ? " of its own (name its subdirectories, or give it to --history, which reads them)"
                            : ""));
                }
                for (Path f : sql) {
                    if (seen.add(History.key(f).toString())) {
                        out.add(new Input(f.toString(), f));
                    }
                }
            } else {
                out.add(new Input(p, path));
            }
        }
        return out;
    }

    /**
     * The files named, in order, once each: a directory stands for its {@code *.sql} files in name order, {@code -}
     * for standard input.
     */
    static List<SourceFile> readAll(List<String> paths, InputStream in) throws InputException {
        List<SourceFile> files = new ArrayList<>();
        for (Input input : list(paths)) {
            files.add(input.read(in));
        }
        return files;
    }
}
