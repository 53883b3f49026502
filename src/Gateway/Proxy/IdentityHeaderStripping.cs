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
            // Loops rather than LINQ over Keys: this runs on every proxied request (docs/performance.md).
            foreach (var header in transform.HttpContext.Request.Headers)
            {
                if (StartsWithAny(header.Key, prefixes))
                {
                    RequestTransform.RemoveHeader(transform, header.Key);
                }
            }

            return ValueTask.CompletedTask;
        });
    }

    private static bool StartsWithAny(string name, IList<string> prefixes)
    {
        for (var i = 0; i < prefixes.Count; i++)
        {
            if (name.StartsWith(prefixes[i], StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
