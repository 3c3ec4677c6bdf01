using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Edge.Tests.Common;

namespace Edge.Tests.Services.Smtp;

/// <summary>
/// One mail as the SMTP sink stored it (scripts/services.sh): <c>NNNNNN.json</c> holds the envelope (from, to,
/// auth_user, tls), <c>NNNNNN.eml</c> the raw message, written last. Headers are unfolded and the body decoded
/// (base64 / quoted-printable), enough to check what the connector sent.
/// </summary>
public sealed partial record SinkMail(
    string EnvelopeFrom,
    IReadOnlyList<string> EnvelopeTo,
    string? AuthUser,
    bool Tls,
    IReadOnlyDictionary<string, string> Headers,
    string Body,
    string Raw)
{
    public static string Dir => TestServices.Get("SMTP_MAIL_DIR");

    public string Header(string name) =>
        Headers.TryGetValue(name, out var value) ? value : throw new ShouldAssertException($"no {name} header in:\n{Raw}");

    /// <summary>The mail whose envelope names <paramref name="recipient"/> (tests use a unique address each).</summary>
    public static async Task<SinkMail> WaitForAsync(string recipient, TimeSpan? timeout = null)
    {
        SinkMail? found = null;
        var arrived = await Eventually.HoldsAsync(() =>
        {
            found = Find(recipient);
            return Task.FromResult(found is not null);
        }, timeout ?? TimeSpan.FromSeconds(10), pollMs: 100);
        return arrived ? found! : throw new ShouldAssertException($"no mail to {recipient} arrived in {Dir}");
    }

    /// <summary>The mail to <paramref name="recipient"/>, or null when the sink holds none.</summary>
    public static SinkMail? Find(string recipient)
    {
        foreach (var json in Directory.EnumerateFiles(Dir, "*.json"))
        {
            var eml = Path.ChangeExtension(json, ".eml");
            if (!File.Exists(eml))
            {
                continue;
            }

            string text;
            try
            {
                text = File.ReadAllText(json);
            }
            catch (IOException)
            {
                continue;
            }

            if (!text.Contains(recipient, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            using var envelope = JsonDocument.Parse(text);
            var root = envelope.RootElement;
            var to = root.GetProperty("to").EnumerateArray().Select(e => e.GetString()!).ToList();
            if (!to.Contains(recipient, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            return Parse(root.GetProperty("from").GetString()!, to,
                root.GetProperty("auth_user").ValueKind == JsonValueKind.String ? root.GetProperty("auth_user").GetString() : null,
                root.GetProperty("tls").GetBoolean(), File.ReadAllText(eml));
        }

        return null;
    }

    private static SinkMail Parse(string from, IReadOnlyList<string> to, string? authUser, bool tls, string raw)
    {
        var split = raw.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = split < 0 ? raw : raw[..split];
        var body = split < 0 ? "" : raw[(split + 4)..];
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? last = null;
        foreach (var line in head.Split("\r\n"))
        {
            if (line.Length > 0 && (line[0] == ' ' || line[0] == '\t') && last is not null)
            {
                headers[last] += " " + line.Trim();
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                last = line[..colon].Trim();
                headers[last] = line[(colon + 1)..].Trim();
            }
        }

        foreach (var name in headers.Keys.ToList())
        {
            headers[name] = EncodedWord().Replace(headers[name], m => m.Groups[2].Value.Equals("B", StringComparison.OrdinalIgnoreCase)
                ? Encoding.UTF8.GetString(Convert.FromBase64String(m.Groups[3].Value))
                : QuotedPrintable(m.Groups[3].Value.Replace('_', ' ')));
        }

        var encoding = headers.TryGetValue("Content-Transfer-Encoding", out var e) ? e.ToLowerInvariant() : "7bit";
        var decoded = encoding switch
        {
            "base64" => Encoding.UTF8.GetString(Convert.FromBase64String(string.Concat(body.Where(c => !char.IsWhiteSpace(c))))),
            "quoted-printable" => QuotedPrintable(body),
            _ => body,
        };
        return new SinkMail(from, to, authUser, tls, headers, decoded.TrimEnd('\r', '\n'), raw);
    }

    private static string QuotedPrintable(string text)
    {
        var bytes = new List<byte>();
        var source = text.Replace("=\r\n", "", StringComparison.Ordinal);
        for (var i = 0; i < source.Length; i++)
        {
            if (source[i] == '=' && i + 2 < source.Length && Uri.IsHexDigit(source[i + 1]) && Uri.IsHexDigit(source[i + 2]))
            {
                bytes.Add(Convert.ToByte(source.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(source[i].ToString()));
            }
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }

    [GeneratedRegex(@"=\?([^?]+)\?([BbQq])\?([^?]*)\?=\s*")]
    private static partial Regex EncodedWord();
}
