package vigil.engine.ocf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.OptionalInt;
import vigil.api.spi.PrivateFiles;

/**
 * Stands in for the Pacemaker tools agents call while they run (Pacemaker's own would try to reach a Pacemaker
 * cluster): {@code crm_node -n} prints this node's name, and {@code crm_attribute --promotion} / {@code crm_master}
 * record promotion scores. Agents
 * set their promotion score with them (ocf:pacemaker:Stateful calls {@code $HA_SBIN_DIR/crm_attribute --promotion -v 5}).
 * The scripts append {@code v <score>} or {@code D} (deleted) to the file named by {@link #FILE_ENV}; the driver reads
 * what an operation appended and returns it as the operation's promotion score.
 */
final class ToolShims {
    static final String FILE_ENV = "VIGIL_PROMOTION_FILE";

    /** Exit code of {@code crm_attribute --query} for an attribute that is not set (Pacemaker's CRM_EX_NOSUCH). */
    static final int NO_SUCH = 105;

    private final Path dir;

    private ToolShims(Path dir) { this.dir = dir; }

    /** Writes the scripts into {@code dir} (created, owner-only). */
    static ToolShims install(Path dir) {
        try {
            PrivateFiles.createDirectories(dir.resolve("scores"));
            write(dir.resolve("crm_attribute"), script(false));
            write(dir.resolve("crm_master"), script(true));
            write(dir.resolve("crm_node"), crmNode());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the promotion score scripts into " + dir + ": " + e.getMessage(), e);
        }
        return new ToolShims(dir);
    }

    Path dir() { return dir; }

    /** The score file of one resource instance (kept across operations, so a {@code --query} sees the last score). */
    Path scoreFile(String resourceInstance) {
        return dir.resolve("scores").resolve(resourceInstance.replaceAll("[^A-Za-z0-9_.-]", "_"));
    }

    static long size(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** The score the lines appended after {@code from} set last; empty when none was set or it was deleted last. */
    static OptionalInt scoreWrittenAfter(Path file, long from) {
        String text;
        try {
            if (!Files.exists(file)) return OptionalInt.empty();
            byte[] all = Files.readAllBytes(file);
            if (all.length <= from) return OptionalInt.empty();
            text = new String(all, (int) from, all.length - (int) from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read promotion score file " + file + ": " + e.getMessage(), e);
        }
        return lastScore(List.of(text.split("\n")));
    }

    /** Pure: the last {@code v N} / {@code D} line decides. */
    static OptionalInt lastScore(List<String> lines) {
        OptionalInt score = OptionalInt.empty();
        for (String raw : lines) {
            String l = raw.trim();
            if (l.equals("D")) {
                score = OptionalInt.empty();
            } else if (l.startsWith("v ")) {
                String v = l.substring(2).trim();
                if (v.equalsIgnoreCase("INFINITY") || v.equalsIgnoreCase("+INFINITY")) score = OptionalInt.of(1_000_000);
                else if (v.equalsIgnoreCase("-INFINITY")) score = OptionalInt.of(-1_000_000);
                else {
                    try {
                        score = OptionalInt.of(Integer.parseInt(v));
                    } catch (NumberFormatException e) {
                        // an agent passed a non-numeric score; Pacemaker would reject it the same way
                    }
                }
            }
        }
        return score;
    }

    private static void write(Path file, String text) throws IOException {
        PrivateFiles.writeString(file, text); // created 0600, then made runnable by its owner only
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
    }

    /** {@code crm_node -n}: the node the executor runs the agent for ({@code ocf_local_nodename} uses it). */
    static String crmNode() {
        return "#!/bin/sh\n"
                + "# crm_node for resource agents run by the Vigil executor: answers -n / --name only.\n"
                + "case \"$1\" in\n"
                + "  -n|--name) echo \"$OCF_RESKEY_CRM_meta_on_node\"; exit 0 ;;\n"
                + "esac\n"
                + "echo \"crm_node: only -n (--name) is supported here\" >&2\n"
                + "exit 1\n";
    }

    /** Parses the crm_attribute / crm_master options agents use for promotion scores; other attributes are refused. */
    static String script(boolean crmMaster) {
        String name = crmMaster ? "crm_master" : "crm_attribute";
        return "#!/bin/sh\n"
                + "# " + name + " for resource agents run by the Vigil executor: records promotion scores only.\n"
                + "f=\"$" + FILE_ENV + "\"\n"
                + "if [ -z \"$f\" ]; then echo \"" + name + ": " + FILE_ENV + " is not set; run agents through the Vigil executor\" >&2; exit 1; fi\n"
                + "promo=" + (crmMaster ? 1 : 0) + "; val=; del=0; query=0\n"
                + "while [ $# -gt 0 ]; do\n"
                + "  case \"$1\" in\n"
                + "    -p|--promotion|--promotion=*) promo=1 ;;\n"
                + "    -v|--update|--attr-value) val=\"$2\"; shift ;;\n"
                + "    --update=*) val=\"${1#--update=}\" ;;\n"
                + "    -v*) val=\"${1#-v}\" ;;\n"
                + "    -D|--delete|--delete-attr) del=1 ;;\n"
                + "    -G|--query|--get-value) query=1 ;;\n"
                + "    -n|--name) case \"$2\" in master-*) promo=1 ;; esac; shift ;;\n"
                + "    -N|--node|-l|--lifetime|-t|--type|-i|--id|-s|--set-name|-r|--resource|-U|--uname|-d|--default) shift ;;\n"
                + "    *) ;;\n"
                + "  esac\n"
                + "  shift\n"
                + "done\n"
                + "if [ $promo -eq 0 ]; then echo \"" + name + ": only promotion scores (--promotion) are supported here\" >&2; exit 1; fi\n"
                + "if [ $query -eq 1 ]; then\n"
                + "  last=$(grep -E '^(v |D$)' \"$f\" 2>/dev/null | tail -n 1)\n"
                + "  case \"$last\" in\n"
                + "    'v '*) echo \"${last#v }\"; exit 0 ;;\n"
                + "    *) echo \"" + name + ": promotion score is not set\" >&2; exit " + NO_SUCH + " ;;\n"
                + "  esac\n"
                + "fi\n"
                + "if [ $del -eq 1 ]; then echo D >> \"$f\"; exit 0; fi\n"
                + "if [ -n \"$val\" ]; then echo \"v $val\" >> \"$f\"; exit 0; fi\n"
                + "echo \"" + name + ": nothing to do: give -v SCORE, -D or -G\" >&2\n"
                + "exit 1\n";
    }
}
