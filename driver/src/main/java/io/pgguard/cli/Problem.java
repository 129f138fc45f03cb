package io.pgguard.cli;

/** Something wrong with the input or its suppressions, reported as {@code file:line:column: message}. */
record Problem(String file, int line, int column, String message, boolean inputError) {

    @Override
    public String toString() {
        return line > 0 ? file + ":" + line + ":" + column + ": " + message : file + ": " + message;
    }
}
