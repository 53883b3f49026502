using System.Text;
using System.Text.RegularExpressions;

namespace EndToEnd.Tests.Hostile;

/// <summary>What one generated request is, for the report: the route it was made for, method, target, shape.</summary>
public sealed record HostileRequest(PlatformEndpoint Route, string Method, string Target, string Shape);

/// <summary>
/// Makes malformed requests for every route of every process: broken JSON and forms, wrong content types, huge
/// and deeply nested bodies, invalid UTF-8 in body, path and headers, header floods, oversized, random and
/// forged tokens, broken chunked encoding, odd methods and paths. A real token is attached only where the request
/// cannot be accepted anyway (safe methods, or a malformed body to a route that reads one), so nothing generated
/// can legitimately change state.
/// </summary>
public sealed partial class HostileRequestGenerator(FuzzRandom random, IReadOnlyList<PlatformEndpoint> endpoints, IReadOnlyList<string> validTokens)
{
    private static readonly string[] OddMethods = ["PATCH", "OPTIONS", "TRACE", "PROPFIND", "CONNECT", "FOO", "get", "DELETE", "PUT", "M-SEARCH", "G\u00c9T"];
    private static readonly string[] SafeMethods = ["GET", "HEAD"];
    private static readonly string[] ContentTypes =
    [
        "application/json", "application/x-www-form-urlencoded", "text/plain", "multipart/form-data", "multipart/form-data; boundary=",
        "application/json; charset=utf-7", "application/xml", "*/*", "application/x-www-form-urlencoded; charset=ebcdic", ";;;", "application/jwk-set+json",
    ];
    private static readonly string[] FormFields =
    [
        "grant_type", "client_id", "client_secret", "username", "password", "refresh_token", "scope", "resource", "token", "token_type_hint",
        "current_password", "new_password", "email", "code",
    ];
    private static readonly string[] FormValues =
    [
        "password", "refresh_token", "client_credentials", "authorization_code", "mobile-app", "orders-service", "alice", "admin", "orders", "orders-api",
        "", "%", "%zz", "%00", "\u0000", "https://evil.example", "a b", "&&", "==",
    ];
    private static readonly string[] JsonFields = ["sku", "quantity", "available", "orderId", "userName", "password", "roles", "currentPassword", "newPassword", "email"];
    private static readonly string[] PathParameters =
    [
        "SKU-1001", "sessions", "rotate", "revoke", "00000000-0000-0000-0000-000000000000", "..", ".", "%2e%2e", "%2F", "%00", "%c0%af", "%ff%fe",
        "%25", "\u00e9", "a%20b", "~", "*", "..%5c..", "%E2%80%AE", "CON", "-1", "99999999999999999999",
    ];

    /// <summary>The next request and its bytes, as sent on the wire.</summary>
    public (HostileRequest Request, byte[] Bytes) Next()
    {
        var endpoint = random.Chance(0.95) ? random.Pick(endpoints) : RandomPath();
        var method = endpoint.Methods.Count > 0 && random.Chance(0.7) ? random.Pick(endpoint.Methods) : random.Pick(OddMethods);
        var target = Target(endpoint.Pattern);
        var shapes = new List<string>();
        var headers = new List<byte[]>();

        string? contentType = null;
        var body = random.Chance(0.7) ? Body(shapes, out contentType) : null;
        if (contentType is not null)
        {
            shapes.Add($"content-type {contentType}");
            headers.Add(Header("Content-Type", contentType));
        }

        var mayCarryRealToken = SafeMethods.Contains(method, StringComparer.Ordinal)
            || (body is not null && endpoint.ReadsBody && endpoint.Methods.Contains(method, StringComparer.Ordinal));
        headers.AddRange(Authorization(mayCarryRealToken, shapes));
        headers.AddRange(ExtraHeaders(shapes));

        using var request = new MemoryStream();
        Write(request, Encoding.Latin1.GetBytes($"{method} "));
        Write(request, TargetBytes(target, shapes));
        Write(request, Encoding.ASCII.GetBytes($" HTTP/1.1\r\nHost: {endpoint.Address.Authority}\r\nConnection: close\r\n"));
        foreach (var header in headers)
        {
            Write(request, header);
        }

        if (body is not null && random.Chance(0.1))
        {
            shapes.Add("broken-chunked");
            Write(request, Encoding.ASCII.GetBytes($"Transfer-Encoding: chunked\r\n\r\n{random.Pick(["zz", "-1", "ffffffffffffffffff", "3;x", ""])}\r\n"));
            Write(request, body);
            Write(request, "\r\n0\r\n"u8.ToArray());
        }
        else
        {
            Write(request, Encoding.ASCII.GetBytes($"Content-Length: {body?.Length ?? 0}\r\n\r\n"));
            if (body is not null)
            {
                Write(request, body);
            }
        }

        return (new HostileRequest(endpoint, method, target, string.Join('+', shapes)), request.ToArray());
    }

    private PlatformEndpoint RandomPath()
    {
        var address = random.Pick(endpoints).Address;
        var path = "/" + string.Join('/', Enumerable.Range(0, random.Next(1, 5)).Select(_ => random.Pick(PathParameters)));
        return new PlatformEndpoint("no-route", address, path, [], ReadsBody: false);
    }

    private string Target(string pattern)
    {
        var path = RouteParameter().Replace(pattern, _ => random.Chance(0.5) ? random.Pick(PathParameters) : Alphanumeric(random.Next(1, 40)));
        return random.Next(6) switch
        {
            0 => path + "?" + random.Pick(["access_token=abc", "a=%zz", "=&=&", "x=" + new string('q', random.Next(100, 20_000)), "%ff=%fe"]),
            1 => path + "/" + random.Pick(PathParameters),
            2 => path.ToUpperInvariant(),
            _ => path,
        };
    }

    /// <summary>The request target's bytes; sometimes with raw bytes no URL may contain (invalid UTF-8, controls).</summary>
    private byte[] TargetBytes(string target, List<string> shapes)
    {
        var bytes = Encoding.UTF8.GetBytes(target);
        if (!random.Chance(0.08))
        {
            return bytes;
        }

        shapes.Add("raw-bytes-in-path");
        return [.. bytes, .. random.Pick<byte[]>([[0xC0, 0xAF], [0xFF, 0xFE], [0x80], [0x01, 0x7F], [0xED, 0xA0, 0x80]])];
    }

    private byte[]? Body(List<string> shapes, out string? contentType)
    {
        contentType = random.Chance(0.85) ? random.Pick(ContentTypes) : null;
        var (shape, body) = random.Next(10) switch
        {
            0 => ("truncated-json", TruncatedJson()),
            1 => ("deep-json", DeepJson()),
            2 => ("huge-json", Encoding.UTF8.GetBytes("\"" + new string('A', random.Next(100_000, 2_500_000)) + "\"")),
            3 => ("invalid-utf8-json", [.. "{\""u8, .. random.Pick(JsonFields).Select(c => (byte)c), .. "\":\""u8, 0xC3, 0x28, 0xFF, .. "\"}"u8]),
            4 => ("wrong-type-json", Encoding.UTF8.GetBytes(WrongTypeJson())),
            5 => ("broken-form", Encoding.UTF8.GetBytes(BrokenForm())),
            6 => ("invalid-utf8-form", [.. Encoding.ASCII.GetBytes($"{random.Pick(FormFields)}="), 0xFF, 0xFE, 0xC0, .. "&grant_type=password"u8]),
            7 => ("huge-form", Encoding.ASCII.GetBytes(string.Join('&', Enumerable.Range(0, random.Next(1_000, 60_000)).Select(i => $"k{i % 50}=v")))),
            8 => ("random-bytes", random.Bytes(random.Next(1, 20_000))),
            _ => ("scalar-json", Encoding.UTF8.GetBytes(random.Pick(["null", "42", "\"x\"", "true", "[]", "[{}]", "{\"", "}", "\u0000"]))),
        };
        shapes.Add(shape);
        return body;
    }

    /// <summary>A proper prefix of a JSON object is never valid JSON.</summary>
    private byte[] TruncatedJson()
    {
        var json = "{" + string.Join(',', JsonFields.Select(f => $"\"{f}\":{random.Pick(["1", "\"SKU-1001\"", "[1,2]", "{\"a\":null}", "-0.5e10"])}")) + "}";
        return Encoding.UTF8.GetBytes(json[..random.Next(0, json.Length - 1)]);
    }

    private byte[] DeepJson()
    {
        var depth = random.Next(65, 200_000);
        var (open, close) = random.Chance(0.5) ? ('[', ']') : ('{', '}');
        var builder = new StringBuilder(depth * 6);
        for (var i = 0; i < depth; i++)
        {
            builder.Append(open == '[' ? "[" : "{\"a\":");
        }

        builder.Append('1');
        if (random.Chance(0.5))
        {
            builder.Append(close, depth);
        }

        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    /// <summary>Every field present with a value of a type none of the routes accept (never a numeric string).</summary>
    private string WrongTypeJson() =>
        "{" + string.Join(',', JsonFields.Select(f => $"\"{f}\":{random.Pick(["[1]", "{\"$ref\":\"#\"}", "\"many\"", "1e400", "true", "[[[]]]", "\"\\ud800\""])}")) + "}";

    private string BrokenForm() =>
        string.Join(random.Pick(["&", "&&", ";", "&=&"]), Enumerable.Range(0, random.Next(1, 12)).Select(_ =>
            $"{random.Pick(FormFields)}{random.Pick(["=", "==", "", "=%"])}{Uri.EscapeDataString(random.Pick(FormValues))}{random.Pick(["", "%zz", "%", "%0", "+"])}"));

    private IEnumerable<byte[]> Authorization(bool mayCarryRealToken, List<string> shapes)
    {
        var (shape, value) = random.Next(10) switch
        {
            0 or 1 when mayCarryRealToken => ("real-token", Encoding.ASCII.GetBytes("Bearer " + random.Pick(validTokens))),
            2 => ("oversized-token", Encoding.ASCII.GetBytes("Bearer " + new string('e', random.Next(10_000, 100_000)))),
            3 => ("random-token", Encoding.ASCII.GetBytes("Bearer " + Convert.ToBase64String(random.Bytes(random.Next(1, 600))))),
            4 => ("jwt-shaped-garbage", Encoding.ASCII.GetBytes("Bearer " + string.Join('.', Enumerable.Range(0, random.Next(1, 6)).Select(_ => Base64Url(random.Bytes(random.Next(0, 300))))))),
            5 => ("alg-none", Encoding.ASCII.GetBytes("Bearer " + Base64Url("{\"alg\":\"none\",\"typ\":\"at+jwt\"}"u8.ToArray()) + "." + Base64Url("{\"sub\":\"admin\",\"permissions\":[\"keys:manage\"]}"u8.ToArray()) + ".")),
            6 => ("basic-garbage", Encoding.ASCII.GetBytes("Basic " + random.Pick(["!!!", Convert.ToBase64String(random.Bytes(40)), Convert.ToBase64String("mobile-app:"u8.ToArray()), Convert.ToBase64String("orders-service:wrong"u8.ToArray())]))),
            7 => ("invalid-utf8-token", [.. "Bearer "u8, 0xC3, 0x28, 0xFF, 0x80]),
            8 => ("tampered-token", Encoding.ASCII.GetBytes("Bearer " + Tamper(random.Pick(validTokens)))),
            _ => ("no-token", null),
        };
        shapes.Add(shape);
        if (value is not null)
        {
            yield return Header("Authorization", value);
            if (random.Chance(0.1))
            {
                shapes.Add("two-authorizations");
                yield return Header("Authorization", "Bearer second");
            }
        }
    }

    /// <summary>A real token with one character of its signature or payload changed.</summary>
    private string Tamper(string token)
    {
        var characters = token.ToCharArray();
        var at = random.Next(characters.Length);
        characters[at] = characters[at] == 'A' ? 'B' : 'A';
        return new string(characters);
    }

    private IEnumerable<byte[]> ExtraHeaders(List<string> shapes)
    {
        switch (random.Next(8))
        {
            case 0:
                shapes.Add("header-flood");
                foreach (var i in Enumerable.Range(0, random.Next(50, 600)))
                {
                    yield return Header($"X-Flood-{i}", Alphanumeric(random.Next(1, 100)));
                }

                break;
            case 1:
                shapes.Add("huge-header");
                yield return Header("X-Huge", new string('h', random.Next(8_000, 70_000)));
                break;
            case 2:
                shapes.Add("invalid-utf8-header");
                yield return Header("X-Request-Id", [0xC3, 0x28, 0xFF, 0x80, 0x00]);
                break;
            case 3:
                shapes.Add("spoofed-identity-headers");
                yield return Header("X-User-Id", "admin");
                yield return Header("X-Forwarded-For", random.Pick(["127.0.0.1", "::1, 10.0.0.1", "not-an-address", new string('1', 5_000)]));
                yield return Header("X-Forwarded-Proto", "https");
                break;
            case 4:
                shapes.Add("odd-headers");
                yield return Header("Content-Encoding", random.Pick(["gzip", "br", "deflate, gzip", "x-unknown"]));
                yield return Header("Expect", random.Pick(["100-continue", "teapot"]));
                yield return Header("Cookie", new string(';', random.Next(1, 2_000)));
                break;
            default:
                break;
        }
    }

    private string Alphanumeric(int length) =>
        new([.. Enumerable.Range(0, length).Select(_ => "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"[random.Next(64)])]);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] Header(string name, string value) => Header(name, Encoding.ASCII.GetBytes(value));

    private static byte[] Header(string name, byte[] value) => [.. Encoding.ASCII.GetBytes(name + ": "), .. value, .. "\r\n"u8];

    private static void Write(MemoryStream stream, byte[] bytes) => stream.Write(bytes);

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex RouteParameter();
}
