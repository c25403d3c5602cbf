package io.chaosproxy.testcontainers;

import io.chaosproxy.client.Capabilities;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** The condition behind {@link RequiresPacketEngine}, judged per test once the class's container runs. */
final class PacketEngineCondition implements ExecutionCondition {

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (context.getTestMethod().isEmpty()) {
            return ConditionEvaluationResult.enabled("judged per test, once the container runs");
        }
        ChaosProxyContainer container = ChaosProxyExtension.runningContainer(context);
        if (container == null) {
            return ConditionEvaluationResult.disabled("no running chaos-proxy container (use @ChaosProxyTest)");
        }
        Capabilities caps = container.client().capabilities();
        if (!caps.packetEngineAvailable()) {
            return ConditionEvaluationResult.disabled("packet engine unavailable in the chaos-proxy container: "
                    + caps.packetEngineUnavailableReason());
        }
        if (!container.isDirectlyReachable()) {
            return ConditionEvaluationResult.disabled("the container's own address is not reachable from this test "
                    + "(Docker Desktop?), and through Docker's port forwarding packet toxics cannot act");
        }
        return ConditionEvaluationResult.enabled("packet engine available");
    }
}
