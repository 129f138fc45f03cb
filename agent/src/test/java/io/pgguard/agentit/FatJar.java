package io.pgguard.agentit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;

/**
 * Packs a jar as Spring Boot's build plugin does: the launcher's classes at the root, the application's classes in
 * {@code BOOT-INF/classes}, its libraries stored (not compressed) in {@code BOOT-INF/lib}, and Boot's
 * {@code JarLauncher} as {@code Main-Class} (in {@code loader.launch} from Boot 3.2, in {@code loader} before).
 */
final class FatJar {

    private FatJar() {
    }

    /** The launcher of a spring-boot-loader jar: Boot 3.2 moved it to a package of its own. */
    static String launcher(Path bootLoader) throws IOException {
        try (JarFile loader = new JarFile(bootLoader.toFile())) {
            return loader.getEntry("org/springframework/boot/loader/launch/JarLauncher.class") != null
                    ? "org.springframework.boot.loader.launch.JarLauncher"
                    : "org.springframework.boot.loader.JarLauncher";
        }
    }

    static void write(Path out, Path bootLoader, Path classes, List<Class<?>> appClasses, List<Path> libs)
            throws IOException {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, launcher(bootLoader));
        m.getMainAttributes().putValue("Start-Class", appClasses.get(0).getName());
        m.getMainAttributes().putValue("Spring-Boot-Classes", "BOOT-INF/classes/");
        m.getMainAttributes().putValue("Spring-Boot-Lib", "BOOT-INF/lib/");
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(out), m);
             JarFile loader = new JarFile(bootLoader.toFile())) {
            for (JarEntry e : java.util.Collections.list(loader.entries())) {
                if (e.getName().startsWith("org/springframework/boot/loader/")) {
                    jar.putNextEntry(new JarEntry(e.getName()));
                    if (!e.isDirectory()) {
                        try (InputStream in = loader.getInputStream(e)) {
                            in.transferTo(jar);
                        }
                    }
                    jar.closeEntry();
                }
            }
            // directory entries, as a build tool writes them: Boot's launcher finds packages through them
            java.util.Set<String> dirs = new java.util.TreeSet<>(List.of("BOOT-INF/", "BOOT-INF/classes/",
                    "BOOT-INF/lib/"));
            for (Class<?> c : appClasses) {
                String pkg = c.getPackageName().replace('.', '/');
                for (int i = pkg.indexOf('/'); ; i = pkg.indexOf('/', i + 1)) {
                    dirs.add("BOOT-INF/classes/" + (i < 0 ? pkg : pkg.substring(0, i)) + "/");
                    if (i < 0) {
                        break;
                    }
                }
            }
            for (String d : dirs) {
                jar.putNextEntry(new JarEntry(d));
                jar.closeEntry();
            }
            for (Class<?> c : appClasses) {
                String path = c.getName().replace('.', '/') + ".class";
                jar.putNextEntry(new JarEntry("BOOT-INF/classes/" + path));
                Files.copy(classes.resolve(path), jar);
                jar.closeEntry();
            }
            for (Path lib : libs) {
                byte[] bytes = Files.readAllBytes(lib);
                JarEntry e = new JarEntry("BOOT-INF/lib/" + lib.getFileName());
                CRC32 crc = new CRC32();
                crc.update(bytes);
                e.setMethod(ZipEntry.STORED);
                e.setSize(bytes.length);
                e.setCompressedSize(bytes.length);
                e.setCrc(crc.getValue());
                jar.putNextEntry(e);
                ((OutputStream) jar).write(bytes);
                jar.closeEntry();
            }
        }
    }
}
