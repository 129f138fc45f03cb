package io.pgguard.agent;

import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;

import java.util.List;

/**
 * Checks, at transformation time, that the members an advice reads exist in the class as loaded (the hook's
 * "muzzle"): pgjdbc's internals changed across 42.x, and an advice that names a missing member would fail inside
 * the application's call instead.
 */
final class Hooked {

    private final TypeDescription type;
    private final List<String> missing;

    private Hooked(TypeDescription type, List<String> missing) {
        this.type = type;
        this.missing = missing;
    }

    static Hooked require(TypeDescription type, List<String> missing) {
        return new Hooked(type, missing);
    }

    Hooked field(String name) {
        for (TypeDescription.Generic t = type.asGenericType(); t != null; t = t.getSuperClass()) {
            if (!t.asErasure().getDeclaredFields().filter(f -> f.getName().equals(name)).isEmpty()) {
                return this;
            }
        }
        missing.add("field " + name);
        return this;
    }

    /** A method declared by the type with {@code arguments} parameters, the first of type {@code first} if given. */
    Hooked method(String name, int arguments, String first) {
        for (MethodDescription.InDefinedShape m : type.getDeclaredMethods()) {
            if (m.getName().equals(name) && m.getParameters().size() == arguments
                    && (first == null || m.getParameters().get(0).getType().asErasure().getName().equals(first))) {
                return this;
            }
        }
        missing.add("method " + name + "(" + (first == null ? "" : first + (arguments > 1 ? ", ..." : ""))
                + ")");
        return this;
    }

    static boolean has(TypeDescription type, String name, int arguments) {
        return !type.getDeclaredMethods().filter(m -> m.getName().equals(name)
                && m.getParameters().size() == arguments).isEmpty();
    }
}
