package io.chaosproxy.testcontainers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every Java snippet in the README is a test source (or a region of one) that this build compiles and runs: each
 * {@code ```java} block must follow a line {@code <!-- example: path[#region] -->} and equal that file (without its
 * package line) or that region ({@code // tag::region[]} to {@code // end::region[]}, dedented).
 */
class ReadmeExamplesInSyncTest {
    private static final Path ROOT = Paths.get(System.getProperty("chaosproxy.projectRoot", "..")).toAbsolutePath()
            .normalize();
    private static final Pattern MARKER = Pattern.compile("<!-- example: ([^#\\s]+)(?:#([\\w-]+))? -->");
    private static final Pattern TAG_LINE = Pattern.compile("^\\s*// (tag|end)::[\\w-]+\\[]\\s*$");

    record Snippet(int line, String path, String region, String text) {
    }

    @Test
    void everyJavaSnippetIsATestSourceAndMatchesIt() throws IOException {
        List<Snippet> snippets = snippets(Files.readAllLines(ROOT.resolve("README.md")));
        assertThat(snippets).as("Java snippets in README.md").isNotEmpty();
        for (Snippet s : snippets) {
            assertThat(s.path()).as("README.md line %d: a ```java block needs <!-- example: path#region --> "
                    + "on the line before it", s.line()).isNotNull();
            Path source = ROOT.resolve(s.path());
            assertThat(source).as("README.md line %d names %s", s.line(), s.path()).exists();
            assertThat(s.path()).as("README.md line %d: examples must be test sources the build runs", s.line())
                    .contains("/src/test/java/");
            String expected = s.region() == null ? wholeFile(Files.readAllLines(source))
                    : region(Files.readAllLines(source), s.region(), s.path());
            assertThat(s.text()).as("README.md line %d differs from %s%s (change both together)", s.line(),
                    s.path(), s.region() == null ? "" : "#" + s.region()).isEqualTo(expected);
        }
    }

    static List<Snippet> snippets(List<String> readme) {
        List<Snippet> out = new ArrayList<>();
        for (int i = 0; i < readme.size(); i++) {
            if (!readme.get(i).trim().equals("```java")) {
                continue;
            }
            String path = null;
            String region = null;
            for (int j = i - 1; j >= 0; j--) {
                if (readme.get(j).isBlank()) {
                    continue;
                }
                Matcher m = MARKER.matcher(readme.get(j).trim());
                if (m.matches()) {
                    path = m.group(1);
                    region = m.group(2);
                }
                break;
            }
            StringBuilder text = new StringBuilder();
            int k = i + 1;
            while (k < readme.size() && !readme.get(k).trim().equals("```")) {
                text.append(stripTrailing(readme.get(k))).append('\n');
                k++;
            }
            out.add(new Snippet(i + 1, path, region, text.toString()));
            i = k;
        }
        return out;
    }

    /** The file without its package line (and the blank line after it) and without region markers. */
    static String wholeFile(List<String> lines) {
        StringBuilder sb = new StringBuilder();
        boolean skipBlank = false;
        for (String line : lines) {
            if (line.startsWith("package ")) {
                skipBlank = true;
                continue;
            }
            if (skipBlank && line.isBlank()) {
                skipBlank = false;
                continue;
            }
            skipBlank = false;
            if (!TAG_LINE.matcher(line).matches()) {
                sb.append(stripTrailing(line)).append('\n');
            }
        }
        return sb.toString();
    }

    static String region(List<String> lines, String name, String path) {
        int start = -1;
        int end = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).trim().equals("// tag::" + name + "[]")) {
                start = i + 1;
            } else if (lines.get(i).trim().equals("// end::" + name + "[]")) {
                end = i;
            }
        }
        assertThat(start).as("region %s in %s", name, path).isPositive();
        assertThat(end).as("end of region %s in %s", name, path).isGreaterThanOrEqualTo(start);
        List<String> body = lines.subList(start, end);
        int indent = body.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length())
                .min().orElse(0);
        StringBuilder sb = new StringBuilder();
        for (String line : body) {
            if (!TAG_LINE.matcher(line).matches()) {
                sb.append(line.isBlank() ? "" : stripTrailing(line.substring(indent))).append('\n');
            }
        }
        return sb.toString();
    }

    private static String stripTrailing(String s) {
        return s.replaceAll("\\s+$", "");
    }
}
