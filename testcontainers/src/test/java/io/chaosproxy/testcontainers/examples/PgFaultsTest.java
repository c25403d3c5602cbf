package io.chaosproxy.testcontainers.examples;

import static io.chaosproxy.assertj.ChaosProxyAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chaosproxy.client.CloseReason;
import io.chaosproxy.client.ConnectionMark;
import io.chaosproxy.client.Leg;
import io.chaosproxy.testcontainers.ChaosProxy;
import io.chaosproxy.testcontainers.ChaosProxyContainer;
import io.chaosproxy.testcontainers.ChaosProxyTest;
import io.chaosproxy.testcontainers.RequiresPacketEngine;
import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

@Testcontainers
@ChaosProxyTest
@ChaosProxy(name = "pg", upstream = "pg:5432")            // declared once, injected below
class PgFaultsTest {
  static Network net = Network.newNetwork();

  @Container
  static GenericContainer<?> pg = new GenericContainer<>("postgres:16")
      .withNetwork(net).withNetworkAliases("pg").withExposedPorts(5432)
      .withEnv("POSTGRES_HOST_AUTH_METHOD", "trust")
      .waitingFor(Wait.forListeningPort());                // the real server, not the init one

  @Container
  static ChaosProxyContainer chaos = new ChaosProxyContainer().withNetwork(net);

  @ChaosProxy(name = "pg")
  ChaosProxyContainer.Proxy proxy;                         // its address works for every fault

  Connection connect(int connectTimeoutSeconds) throws SQLException {
    return DriverManager.getConnection(proxy.jdbcUrl("postgresql", "postgres")
        + "?user=postgres&connectTimeout=" + connectTimeoutSeconds + "&socketTimeout=10");
  }

  static long selectOneMillis(Connection c) throws SQLException {
    long start = System.nanoTime();
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT 1")) {
      r.next();
    }
    return (System.nanoTime() - start) / 1_000_000;
  }

  @Test
  @RequiresPacketEngine
  void synDropMakesTheConnectTimeOut() {                   // handshake (packet engine)
    proxy.toxics().synDrop().all().create();
    SQLException e = assertThrows(SQLException.class, () -> connect(2));
    Throwable cause = e;
    while (cause.getCause() != null) {
      cause = cause.getCause();
    }
    assertTrue(cause instanceof SocketTimeoutException, () -> "cause: " + e);  // "Connect timed out"
  }

  @Test
  void latencyIsAddedToEveryRoundTrip() throws SQLException {   // established
    try (Connection c = connect(5)) {
      selectOneMillis(c);
      proxy.toxics().latency().downstream().ms(200).create();
      long millis = selectOneMillis(c);
      assertTrue(millis >= 200 && millis < 1000, () -> "SELECT 1 took " + millis + " ms");
    }
  }

  // tag::reset[]
  @Test
  void resetAfterBytesBreaksTheQuery() throws SQLException {    // established
    ConnectionMark mark = proxy.handle().mark();
    try (Connection c = connect(5)) {
      proxy.toxics().resetPeer().downstream().afterBytes(4096).create();
      SQLException e = assertThrows(SQLException.class,
          () -> c.createStatement().executeQuery("SELECT repeat('x', 200000)"));
      assertEquals("08006", e.getSQLState());                  // cause: Connection reset
    }
    assertThat(proxy.handle().connectionsSince(mark).get(0))   // what the proxy saw
        .closedWith(CloseReason.TOXIC)
        .hadToxicAction("RST after N bytes").on(Leg.CLIENT);
  }
  // end::reset[]

  @Test
  void aSwallowedFinLeavesTheClientHalfOpen() throws Exception {   // teardown
    proxy.toxics().finDrop().downstream().create();
    ConnectionMark mark = proxy.handle().mark();
    try (Connection c = connect(5)) {
      c.createStatement().execute("SET idle_session_timeout = '200ms'");   // the server will close it
      Thread.sleep(1000);
      SQLException e = assertThrows(SQLException.class, () -> selectOneMillis(c));
      assertEquals("57P05", e.getSQLState());                  // the server said why before its FIN
    }
    assertThat(proxy.handle().connectionsSince(mark).get(0))   // the FIN itself never reached the client
        .hadToxicAction("swallowed FIN").on(Leg.CLIENT);
  }
}
