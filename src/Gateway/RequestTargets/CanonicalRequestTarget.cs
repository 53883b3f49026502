using System.Text;

namespace Gateway.RequestTargets;

/// <summary>Why a request target is not in the one form the gateway routes.</summary>
public enum RequestTargetViolation
{
    None,

    /// <summary>Not origin-form (<c>/path?query</c>): absolute-form or asterisk-form targets are for forward proxies.</summary>
    NotOriginForm,

    /// <summary><c>%2F</c> or <c>%5C</c>: one segment to the gateway's router, two to a service that decodes it.</summary>
    EncodedSeparator,

    /// <summary><c>%2E</c>: an unreserved character never needs encoding; encoded dots exist to build hidden dot segments.</summary>
    EncodedDot,

    /// <summary><c>%25</c>: decoded once here, it would be decoded again behind the gateway.</summary>
    EncodedPercent,

    /// <summary>A <c>%</c> not followed by two hex digits.</summary>
    MalformedPercentEncoding,

    /// <summary>Control characters (raw or encoded, including NUL, CR and LF).</summary>
    ControlCharacter,

    /// <summary>A raw backslash, which some servers treat as a separator.</summary>
    Backslash,

    /// <summary>A raw character outside printable ASCII: RFC 3986 requires it percent-encoded.</summary>
    NonAsciiCharacter,

    /// <summary>Percent-encoded bytes that are not strict UTF-8 (overlong forms such as <c>%C0%AF</c>, surrogates, stray bytes).</summary>
    InvalidUtf8,

    /// <summary><c>//</c>: an empty segment, which routers and services disagree about.</summary>
    EmptySegment,

    /// <summary>A <c>.</c> or <c>..</c> segment, which would be resolved differently before and after routing.</summary>
    DotSegment,

    /// <summary>
    /// An <c>access_token</c> query parameter (RFC 6750 §2.3): only the <c>Authorization</c> header carries tokens,
    /// and a token in a URL ends up in access logs, proxies' logs and caches.
    /// </summary>
    AccessTokenInQuery,
}

/// <summary>
/// Decides whether a request's raw target (as the client sent it, before the server decodes or normalises it)
/// has the one canonical form for its path: then the path a route policy judges is the path the service receives,
/// because nothing in it can be decoded or resolved differently later. The query is not inspected.
/// A trailing slash is canonical (it is routed like the path without it, and forwarded as sent). Of the query only
/// the parameter names are inspected, for an <c>access_token</c>.
/// </summary>
public static class CanonicalRequestTarget
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static RequestTargetViolation Inspect(string rawTarget)
    {
        ArgumentNullException.ThrowIfNull(rawTarget);
        var queryStart = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var path = queryStart < 0 ? rawTarget.AsSpan() : rawTarget.AsSpan(0, queryStart);
        if (path.IsEmpty || path[0] != '/')
        {
            return RequestTargetViolation.NotOriginForm;
        }

        var violation = Decode(path, out var decoded);
        if (violation != RequestTargetViolation.None)
        {
            return violation;
        }

        try
        {
            _ = StrictUtf8.GetCharCount(decoded);
        }
        catch (DecoderFallbackException)
        {
            return RequestTargetViolation.InvalidUtf8;
        }

        var segments = InspectSegments(path[1..]);
        return segments != RequestTargetViolation.None || queryStart < 0 ? segments : InspectQuery(rawTarget.AsSpan(queryStart + 1));
    }

    private static RequestTargetViolation InspectQuery(ReadOnlySpan<char> query)
    {
        foreach (var range in query.Split('&'))
        {
            var parameter = query[range];
            var nameEnd = parameter.IndexOf('=');
            var name = Uri.UnescapeDataString(nameEnd < 0 ? parameter : parameter[..nameEnd]);
            if (name.Equals("access_token", StringComparison.OrdinalIgnoreCase))
            {
                return RequestTargetViolation.AccessTokenInQuery;
            }
        }

        return RequestTargetViolation.None;
    }

    /// <summary>Percent-decodes to bytes, refusing every encoding that could change the path's structure.</summary>
    private static RequestTargetViolation Decode(ReadOnlySpan<char> path, out byte[] decoded)
    {
        var bytes = new List<byte>(path.Length);
        decoded = [];
        for (var i = 0; i < path.Length; i++)
        {
            var c = path[i];
            if (c == '%')
            {
                if (i + 2 >= path.Length || !IsHex(path[i + 1]) || !IsHex(path[i + 2]))
                {
                    return RequestTargetViolation.MalformedPercentEncoding;
                }

                var value = (byte)((HexValue(path[i + 1]) << 4) | HexValue(path[i + 2]));
                var violation = value switch
                {
                    (byte)'/' or (byte)'\\' => RequestTargetViolation.EncodedSeparator,
                    (byte)'.' => RequestTargetViolation.EncodedDot,
                    (byte)'%' => RequestTargetViolation.EncodedPercent,
                    < 0x20 or 0x7F => RequestTargetViolation.ControlCharacter,
                    _ => RequestTargetViolation.None,
                };
                if (violation != RequestTargetViolation.None)
                {
                    return violation;
                }

                bytes.Add(value);
                i += 2;
                continue;
            }

            var rawViolation = c switch
            {
                '\\' => RequestTargetViolation.Backslash,
                < ' ' or (char)0x7F => RequestTargetViolation.ControlCharacter,
                > (char)0x7F => RequestTargetViolation.NonAsciiCharacter,
                _ => RequestTargetViolation.None,
            };
            if (rawViolation != RequestTargetViolation.None)
            {
                return rawViolation;
            }

            bytes.Add((byte)c);
        }

        decoded = [.. bytes];
        return RequestTargetViolation.None;
    }

    /// <summary>Segments of the path after its leading slash; only the last may be empty (a trailing slash).</summary>
    private static RequestTargetViolation InspectSegments(ReadOnlySpan<char> segments)
    {
        foreach (var range in segments.Split('/'))
        {
            var segment = segments[range];
            if (segment is "." or "..")
            {
                return RequestTargetViolation.DotSegment;
            }

            if (segment.IsEmpty && range.End.Value != segments.Length)
            {
                return RequestTargetViolation.EmptySegment;
            }
        }

        return RequestTargetViolation.None;
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
