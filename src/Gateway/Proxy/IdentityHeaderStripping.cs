using ServiceDefaults.Configuration;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Gateway.Proxy;

/// <summary>
/// On every route: removes client-supplied identity headers, so the only identity a service sees is the bearer
/// token it verifies itself (forwarded unchanged).
/// </summary>
internal sealed class IdentityHeaderStripping(ReloadableOptions<HeaderHygieneOptions> options) : ITransformProvider
{
    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.AddRequestTransform(transform =>
        {
            var prefixes = options.Current.StrippedRequestHeaderPrefixes;
            foreach (var name in transform.HttpContext.Request.Headers.Keys)
            {
                if (prefixes.Any(prefix => name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
                {
                    RequestTransform.RemoveHeader(transform, name);
                }
            }

            return ValueTask.CompletedTask;
        });
    }
}
