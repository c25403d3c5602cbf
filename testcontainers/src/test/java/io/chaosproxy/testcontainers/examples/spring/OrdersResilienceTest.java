package io.chaosproxy.testcontainers.examples.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.chaosproxy.client.CloseReason;
import io.chaosproxy.testcontainers.ChaosProxy;
import io.chaosproxy.testcontainers.ChaosProxyContainer;
import io.chaosproxy.testcontainers.ChaosProxyTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.dao.DataAccessException;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

@Testcontainers
@ChaosProxyTest
@ChaosProxy(name = "pg", upstream = "pg:5432")
@SpringBootTest(classes = OrdersApplication.class)
class OrdersResilienceTest {
  static Network net = Network.newNetwork();

  @Container
  static GenericContainer<?> pg = new GenericContainer<>("postgres:16")
      .withNetwork(net).withNetworkAliases("pg").withExposedPorts(5432)
      .withEnv("POSTGRES_HOST_AUTH_METHOD", "trust")
      .waitingFor(Wait.forListeningPort());

  @Container
  static ChaosProxyContainer chaos = new ChaosProxyContainer().withNetwork(net);

  @DynamicPropertySource                                   // the application talks to the proxy, not to pg
  static void datasource(DynamicPropertyRegistry registry) {
    registry.add("spring.datasource.url", () -> chaos.proxy("pg", "pg:5432").jdbcUrl("postgresql", "postgres"));
    registry.add("spring.datasource.username", () -> "postgres");
    registry.add("spring.datasource.hikari.maximum-pool-size", () -> "2");
  }

  @Autowired
  OrdersApplication.OrderReport report;

  @Test
  void aResetDatabaseFailsOneReportAndThePoolRecovers(@ChaosProxy(name = "pg") ChaosProxyContainer.Proxy proxy) {
    assertEquals(240_000, report.reportLength());
    proxy.toxics().resetPeer().downstream().afterBytes(4096).create();
    assertThrows(DataAccessException.class, report::reportLength);   // what the application sees
    proxy.toxics().removeAll();
    assertEquals(240_000, report.reportLength());                    // the pool hands out a healthy connection
    assertEquals(1, proxy.handle().connections().stream()             // and the proxy saw exactly one reset
        .filter(c -> c.closeReason() == CloseReason.TOXIC).count());
  }
}
