using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Edge.Gateway.Hosting;

/// <summary>
/// <c>edge import FILE --domain … [--compile --start]</c>: sends a spec or a bundle ZIP to a running edge's admin API
/// and prints the report, for scripts and CI pipelines. Exit code 0 when everything was imported, 1 when the import
/// failed or reported problems, 2 for a usage error.
/// </summary>
internal static class ImportCommand
{
    public const string Usage = """
        usage: edge import FILE [options]

          FILE                  an OpenAPI spec (.yaml, .yml, .json) or a bundle (.zip)
          --domain HOST         domain (host) the endpoints serve; '*' for any host
          --domain-id ID        domain for a new collection (--create-collection)
          --collection-id ID    put the endpoints into this collection
          --create-collection   create (or reuse) a collection named after the spec's title
          --compile             compile the handlers after the import
          --start               start them (implies --compile); running ones are swapped gracefully
          --partial             import the good operations even when some are bad
          --no-validate         do not validate requests against the spec
          --dry-run             report what would change, change nothing
          --json                print the admin API's JSON answer as it is
          --admin-url URL       the edge admin API   (EDGE_ADMIN_URL, default http://127.0.0.1:$EDGE_ADMIN_PORT or 9081)
          --token TOKEN         admin token          (EDGE_ADMIN_TOKEN, else the admin-token file in --data / EDGE_DATA / ./data)
          --data DIR            where to find admin-token when no token is given
        """;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task<int> RunAsync(string[] args, Func<string, string?> env, TextWriter output, TextWriter errors)
    {
        string? file = null, domain = null, domainId = null, collectionId = null, token = null, data = null;
        var adminUrl = env("EDGE_ADMIN_URL");
        var flags = new Dictionary<string, bool>(StringComparer.Ordinal);
        var json = false;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            string? inline = null;
            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.IndexOf('=') is > 0 and var eq)
            {
                inline = arg[(eq + 1)..];
                arg = arg[..eq];
            }

            string Value()
            {
                if (inline is not null)
                {
                    return inline;
                }

                if (i + 1 >= args.Length)
                {
                    throw new ArgumentException($"option '{arg}' needs a value");
                }

                return args[++i];
            }

            try
            {
                switch (arg)
                {
                    case "--help" or "-h":
                        output.WriteLine(Usage);
                        return 0;
                    case "--domain": domain = Value(); break;
                    case "--domain-id": domainId = Value(); break;
                    case "--collection-id": collectionId = Value(); break;
                    case "--admin-url": adminUrl = Value(); break;
                    case "--token": token = Value(); break;
                    case "--data": data = Value(); break;
                    case "--create-collection": flags["create_collection"] = true; break;
                    case "--compile": flags["compile"] = true; break;
                    case "--start": flags["start"] = true; break;
                    case "--partial": flags["partial"] = true; break;
                    case "--no-validate": flags["validate"] = false; break;
                    case "--dry-run": flags["dry_run"] = true; break;
                    case "--json": json = true; break;
                    default:
                        if (arg.StartsWith('-') || file is not null)
                        {
                            throw new ArgumentException(arg.StartsWith('-') ? $"unknown option '{arg}'" : $"unexpected argument '{arg}'");
                        }

                        file = arg;
                        break;
                }
            }
            catch (ArgumentException ex)
            {
                errors.WriteLine($"edge import: {ex.Message} (see edge import --help)");
                return 2;
            }
        }

        if (file is null)
        {
            errors.WriteLine("edge import: name the spec or bundle to import (see edge import --help)");
            return 2;
        }

        if (!File.Exists(file))
        {
            errors.WriteLine($"edge import: no such file: {file}");
            return 2;
        }

        adminUrl ??= $"http://127.0.0.1:{env("EDGE_ADMIN_PORT") ?? EdgeOptions.DefaultAdminPort.ToString(CultureInfo.InvariantCulture)}";
        if (!Uri.TryCreate(adminUrl.TrimEnd('/') + "/", UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("http" or "https"))
        {
            errors.WriteLine($"edge import: --admin-url must be an http(s) URL, got '{adminUrl}'");
            return 2;
        }

        token ??= env("EDGE_ADMIN_TOKEN");
        if (string.IsNullOrEmpty(token))
        {
            var tokenFile = Path.Combine(data ?? env("EDGE_DATA") ?? "data", "admin-token");
            if (!File.Exists(tokenFile))
            {
                errors.WriteLine($"edge import: no admin token: pass --token, set EDGE_ADMIN_TOKEN, or point --data at the folder with admin-token (looked for {tokenFile})");
                return 2;
            }

            token = (await File.ReadAllTextAsync(tokenFile)).Trim();
        }

        using var client = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromMinutes(10) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        HttpResponseMessage response;
        try
        {
            response = file.EndsWith(".zip", StringComparison.OrdinalIgnoreCase)
                ? await SendBundleAsync(client, file, domain, domainId, collectionId, flags)
                : await SendSpecAsync(client, file, domain, domainId, collectionId, flags);
        }
        catch (HttpRequestException ex)
        {
            errors.WriteLine($"edge import: cannot reach the admin API at {baseUri}: {ex.Message}");
            return 1;
        }

        var text = await response.Content.ReadAsStringAsync();
        JsonNode? answer;
        try
        {
            answer = JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            errors.WriteLine($"edge import: the admin API answered {(int)response.StatusCode} with something that is not JSON");
            return 1;
        }

        if (json)
        {
            output.WriteLine(answer?.ToJsonString(Indented));
        }
        else
        {
            Print(answer, output, errors);
        }

        var ok = answer?["ok"]?.GetValue<bool>() == true;
        var problems = (answer?["data"]?["errors"] as JsonArray)?.Count ?? 0;
        return ok && problems == 0 ? 0 : 1;
    }

    private static async Task<HttpResponseMessage> SendSpecAsync(HttpClient client, string file, string? domain, string? domainId, string? collectionId, Dictionary<string, bool> flags)
    {
        var body = new JsonObject { ["spec"] = await File.ReadAllTextAsync(file) };
        AddIfSet(body, "domain", domain);
        AddIfSet(body, "domain_id", domainId);
        AddIfSet(body, "collection_id", collectionId);
        foreach (var (name, value) in flags)
        {
            body[name] = value;
        }

        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        return await client.PostAsync("api/import/openapi", content);
    }

    private static async Task<HttpResponseMessage> SendBundleAsync(HttpClient client, string file, string? domain, string? domainId, string? collectionId, Dictionary<string, bool> flags)
    {
        var query = new List<string>();
        foreach (var (name, value) in new[] { ("domain", domain), ("domain_id", domainId), ("collection_id", collectionId) })
        {
            if (value is not null)
            {
                query.Add($"{name}={Uri.EscapeDataString(value)}");
            }
        }

        query.AddRange(flags.Select(f => $"{f.Key}={(f.Value ? "true" : "false")}"));
        using var form = new MultipartFormDataContent();
        var zip = new ByteArrayContent(await File.ReadAllBytesAsync(file));
        zip.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        form.Add(zip, "bundle", Path.GetFileName(file));
        return await client.PostAsync("api/import/bundle?" + string.Join('&', query), form);
    }

    private static void AddIfSet(JsonObject body, string name, string? value)
    {
        if (value is not null)
        {
            body[name] = value;
        }
    }

    private static void Print(JsonNode? answer, TextWriter output, TextWriter errors)
    {
        var data = answer?["data"];
        if (answer?["ok"]?.GetValue<bool>() != true)
        {
            errors.WriteLine($"edge import: {answer?["error"]?.GetValue<string>() ?? "the import failed"}");
        }

        if (data is JsonObject report && report["endpoints_created"] is not null)
        {
            var collection = report["collection"] is JsonObject c ? $" into collection '{c["name"]}'" : "";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{(report["dry_run"]?.GetValue<bool>() == true ? "would import" : "imported")}{collection}: {report["endpoints_created"]} created, {report["endpoints_updated"]} updated, " +
                $"{report["handlers_matched"]} handler file(s) matched, {report["compiled"]} compiled, {report["started"]} started ({report["duration_ms"]} ms)"));
            foreach (var warning in report["warnings"] as JsonArray ?? [])
            {
                output.WriteLine($"warning: {warning}");
            }

            foreach (var error in report["errors"] as JsonArray ?? [])
            {
                var where = string.Join(" ", new[] { error?["operation"], error?["file"], error?["pointer"] }
                    .Select(n => n?.GetValue<string>()).Where(s => !string.IsNullOrEmpty(s)));
                errors.WriteLine($"error: {where}: {error?["message"]}");
                foreach (var d in error?["diagnostics"] as JsonArray ?? [])
                {
                    errors.WriteLine($"  {error?["file"]}({d?["line"]},{d?["column"]}): {d?["severity"]} {d?["id"]}: {d?["message"]}");
                }
            }
        }
    }
}
