namespace Gateway.Tests;

/// <summary>The gateway a fixture runs against: on the JIT in the test process, or the published native executable.</summary>
public enum GatewayBuild
{
    Jit,
    Native,
}
