using System.Net.Sockets;
using System.Text;

namespace EndToEnd.Tests.Hostile;

/// <summary>
/// HTTP/1.1 over a plain socket, byte for byte as given, so a request can be as broken as an attacker makes it
/// (HttpClient refuses to send most of what a fuzzer needs). One request per connection.
/// </summary>
public static class RawHttp
{
    /// <summary>What came back: the status code, or null when the server closed the connection without answering.</summary>
    public static async Task<int?> SendAsync(Uri address, byte[] request, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(address);
        using var cancel = new CancellationTokenSource(timeout);
        using var client = new TcpClient();
        await client.ConnectAsync(address.Host, address.Port, cancel.Token);
        var stream = client.GetStream();
        try
        {
            await stream.WriteAsync(request, cancel.Token);
        }
        catch (IOException)
        {
            // The server may answer and close before reading an oversized request to the end: read what it said.
        }

        var head = new List<byte>();
        var buffer = new byte[4096];
        try
        {
            while (!head.Contains((byte)'\n'))
            {
                var read = await stream.ReadAsync(buffer, cancel.Token);
                if (read == 0)
                {
                    break;
                }

                head.AddRange(buffer.AsSpan(0, read));
            }
        }
        catch (IOException)
        {
            // Reset after (or instead of) an answer.
        }

        var statusLine = Encoding.ASCII.GetString([.. head]).Split('\n')[0];
        var parts = statusLine.Split(' ');
        return parts.Length >= 2 && parts[0].StartsWith("HTTP/", StringComparison.Ordinal) && int.TryParse(parts[1], out var status) ? status : null;
    }
}
