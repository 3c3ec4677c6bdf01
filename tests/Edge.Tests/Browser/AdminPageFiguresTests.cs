using System.Globalization;
using System.Text;
using Edge.Tests.Common;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Edge.Tests.Browser;

/// <summary>The figures for the page: first load on a cold cache, and the editor with a 2,000-line handler.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AdminPageFiguresTests(BrowserFixture fixture, ITestOutputHelper output)
{
    public const int MaxFirstLoadBytes = 300 * 1024;

    [Fact]
    public async Task FirstLoad_ColdCache_Under300KBAndInteractiveUnder1s()
    {
        // Arrange: a fresh context has an empty cache; the CDP session reads the bytes on the wire.
        await using var session = await AdminPageSession.OpenAsync(fixture);
        var cdp = await session.Context.NewCDPSessionAsync(session.Page);
        await cdp.SendAsync("Network.enable");
        long encoded = 0;
        var responses = 0;
        cdp.Event("Network.loadingFinished").OnEvent += (_, e) =>
        {
            Interlocked.Add(ref encoded, (long)e!.Value.GetProperty("encodedDataLength").GetDouble());
            Interlocked.Increment(ref responses);
        };

        // Act
        await session.Page.GotoAsync(session.AdminUrl, new PageGotoOptions { WaitUntil = WaitUntilState.NetworkIdle });
        await session.Page.WaitForSelectorAsync("html[data-ready='true']");
        var ready = await session.Page.EvaluateAsync<double>("performance.getEntriesByName('edge-admin-ready')[0].startTime");
        var interactive = await session.Page.IsVisibleAsync("#token");

        // Assert
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"first load: {responses} responses, {encoded} bytes on the wire, ready at {ready:F0} ms"));
        encoded.ShouldBeGreaterThan(0);
        encoded.ShouldBeLessThan(MaxFirstLoadBytes);
        ready.ShouldBeLessThan(1000);
        interactive.ShouldBeTrue();
        session.ShouldHaveNoConsoleErrors();
    }

    [Fact]
    public async Task SignedInLoad_ColdCache_TreeReadyUnder1s()
    {
        // Arrange: sign in, then empty the cache so the reload fetches everything again (the token stays in the tab).
        await using var session = await AdminPageSession.OpenAsync(fixture);
        await session.SignInAsync();
        var cdp = await session.Context.NewCDPSessionAsync(session.Page);
        await cdp.SendAsync("Network.enable");
        await cdp.SendAsync("Network.clearBrowserCache");
        var urls = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        long assets = 0;
        long data = 0;
        cdp.Event("Network.responseReceived").OnEvent += (_, e) =>
            urls[e!.Value.GetProperty("requestId").GetString()!] = e.Value.GetProperty("response").GetProperty("url").GetString()!;
        cdp.Event("Network.loadingFinished").OnEvent += (_, e) =>
        {
            var bytes = (long)e!.Value.GetProperty("encodedDataLength").GetDouble();
            var url = urls.GetValueOrDefault(e.Value.GetProperty("requestId").GetString()!, "");
            if (url.Contains("/api/", StringComparison.Ordinal))
            {
                Interlocked.Add(ref data, bytes);
            }
            else
            {
                Interlocked.Add(ref assets, bytes);
            }
        };

        // Act
        await session.Page.ReloadAsync(new PageReloadOptions { WaitUntil = WaitUntilState.NetworkIdle });
        await session.Page.WaitForSelectorAsync("html[data-ready='true']");
        var ready = await session.Page.EvaluateAsync<double>("performance.getEntriesByName('edge-admin-ready')[0].startTime");
        var tree = await session.Page.IsVisibleAsync(".tree");

        // Assert
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"signed-in load: page files {assets} bytes on the wire, API answers {data} bytes, endpoint tree ready at {ready:F0} ms"));
        assets.ShouldBeGreaterThan(0);
        assets.ShouldBeLessThan(MaxFirstLoadBytes);
        data.ShouldBeGreaterThan(0);
        ready.ShouldBeLessThan(1000);
        tree.ShouldBeTrue();
        session.ShouldHaveNoConsoleErrors();
    }

    [Fact]
    public async Task Editor_TwoThousandLineHandler_KeystrokeRepaintsFast()
    {
        // Arrange
        var code = new StringBuilder("async Task<Response> Handle(Context ctx, Request req)\n{\n");
        for (var i = 0; i < 1996; i++)
        {
            code.Append(CultureInfo.InvariantCulture, $"    var v{i} = req.QueryParam(\"q{i}\") ?? \"value {i}\"; // line {i + 3}\n");
        }

        code.Append("    return Response.Json(new { ok = true });\n}\n");
        var created = await fixture.Edge.Admin.PostApiAsync("/api/endpoints", new
        {
            name = Unique.Name("big"),
            path = "/" + Unique.Name("big"),
            method = "GET",
            domain = "*",
            code = code.ToString(),
        });
        var id = created.Data.GetProperty("id").GetString();
        await using var session = await AdminPageSession.OpenAsync(fixture);
        await session.SignInAsync();
        var page = session.Page;
        await page.EvaluateAsync($"location.hash = '#/endpoints/{id}'");
        await page.WaitForSelectorAsync(".ed-input");
        var lines = await page.EvaluateAsync<int>("document.querySelector('.ed-input').value.split('\\n').length");

        // Act: type in the middle of the file and at its end, one key at a time.
        await page.FocusAsync(".ed-input");
        await page.EvaluateAsync("(() => { const t = document.querySelector('.ed-input'); const p = t.value.indexOf('line 1000'); t.setSelectionRange(p, p); })()");
        await page.Keyboard.TypeAsync("abcdefghijklmnopqrst", new KeyboardTypeOptions { Delay = 30 });
        await page.Keyboard.PressAsync("Control+End");
        await page.Keyboard.TypeAsync("// the end", new KeyboardTypeOptions { Delay = 30 });
        await page.WaitForTimeoutAsync(200);
        var latencies = await page.EvaluateAsync<double[]>("document.querySelector('.editor').editor.latencies");
        var sorted = latencies.Order().ToArray();
        var median = sorted[sorted.Length / 2];
        var worst = sorted[^1];
        var rendered = await page.Locator(".ed-line").CountAsync();

        // Assert
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"editor, {lines} lines: {sorted.Length} keystrokes, keystroke→repaint median {median:F1} ms, worst {worst:F1} ms, {rendered} lines rendered"));
        lines.ShouldBeGreaterThanOrEqualTo(2000);
        sorted.Length.ShouldBe(30);
        median.ShouldBeLessThan(50);
        rendered.ShouldBeLessThan(100);
        session.ShouldHaveNoConsoleErrors();
    }
}
