using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace TestSupport;

/// <summary>A downstream service that reports what reached it: method, path, query and every request header.</summary>
public static class EchoBackend
{
    public static Task<LoopbackApp> StartAsync() => LoopbackApp.StartAsync(app =>
        app.Run(context => context.Response.WriteAsJsonAsync(new EchoedRequest(
            context.Request.Method,
            context.Request.Path.Value ?? "",
            context.Request.QueryString.Value ?? "",
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)))));
}

public sealed record EchoedRequest(string Method, string Path, string Query, Dictionary<string, string> Headers);
