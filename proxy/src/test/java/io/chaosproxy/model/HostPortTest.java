package io.chaosproxy.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Addresses are parsed strictly: ASCII digits, one pair of brackets around a valid IPv6 address. */
class HostPortTest {

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1:\u0661\u0662", "127.0.0.1:\uff18\uff10", "[::1]]:80", "[[::1]:80", "[[::1]]:80",
        "[::1:80", "::1]:80", "[zz::1]:80", "[]:80", "[127.0.0.1]:80", "127.0.0.1:+80", "127.0.0.1:080000",
        "127.0.0.1:", "db]:80", "a b:80", "[::1]:-1", "h\u00e9:80"})
    void rejects(String text) {
        assertThatThrownBy(() -> HostPort.parse("upstream", text, false))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("upstream");
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1:80", "[::1]:80", "[2001:db8::1]:5432", "[::ffff:127.0.0.1]:80", "db:5432",
        "my-host.example:1", ":8080", "[fe80::1]:65535"})
    void accepts(String text) {
        HostPort hp = HostPort.parse("upstream", text, false);
        assertThat(hp.toString()).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/b", "a\nb", "a\u0000", "tab\there"})
    void namesOutsideTheRuleAreRefused(String name) {
        assertThatThrownBy(() -> Names.check("name", name)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("name");
    }

    @org.junit.jupiter.api.Test
    void namesAreAtMost128Characters() {
        assertThat(Names.check("name", "x".repeat(128))).hasSize(128);
        assertThatThrownBy(() -> Names.check("name", "x".repeat(129))).hasMessageContaining("1 to 128 characters");
    }
}
