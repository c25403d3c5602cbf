package io.chaosproxy.testcontainers.examples.spring;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/** A minimal Spring Boot application with a database behind a connection pool, for the README's example. */
@SpringBootApplication
public class OrdersApplication {

    /** The application code under test: one query through the pool (HikariCP, Spring Boot's default). */
    @Service
    public static class OrderReport {
        private final JdbcTemplate jdbc;

        public OrderReport(JdbcTemplate jdbc) {
            this.jdbc = jdbc;
        }

        /** A report big enough to cross the network in many segments. */
        public int reportLength() {
            String report = jdbc.queryForObject("SELECT repeat('order;', 40000)", String.class);
            return report == null ? 0 : report.length();
        }
    }
}
