using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Edge.Tests.Browser;

/// <summary>
/// A fresh browser context (cold cache, its own sessionStorage) on the admin page, recording every console error,
/// uncaught page error and failed request so that a test can assert there were none it did not expect.
/// </summary>
public sealed partial class AdminPageSession : IAsyncDisposable
{
    private readonly BrowserFixture _fixture;
    private readonly List<string> _consoleErrors = [];
    private readonly List<string> _pageErrors = [];
    private readonly List<(int Status, string Url)> _failedResponses = [];

    private AdminPageSession(BrowserFixture fixture, IBrowserContext context, IPage page)
    {
        _fixture = fixture;
        Context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (_consoleErrors)
                {
                    _consoleErrors.Add(message.Text);
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (_pageErrors)
            {
                _pageErrors.Add(error);
            }
        };
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                lock (_failedResponses)
                {
                    _failedResponses.Add((response.Status, response.Url));
                }
            }
        };
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    public string AdminUrl => _fixture.Edge.AdminBase + "admin/";

    public static async Task<AdminPageSession> OpenAsync(BrowserFixture fixture, int width = 1280, int height = 800, ColorScheme scheme = ColorScheme.Light)
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            ColorScheme = scheme,
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        return new AdminPageSession(fixture, context, page);
    }

    public async Task GotoAsync(string hash = "")
    {
        await Page.GotoAsync(AdminUrl + hash);
        await Page.WaitForSelectorAsync("html[data-ready='true']");
    }

    /// <summary>Opens the page and signs in with the root token through the form.</summary>
    public async Task SignInAsync()
    {
        await GotoAsync();
        await Page.FillAsync("#token", _fixture.Edge.Token!);
        await Page.ClickAsync("#signin-form button[type=submit]");
        await Page.WaitForSelectorAsync("#nav:not([hidden])");
    }

    public async Task ScreenshotAsync(string name)
    {
        // Success notices fade by themselves after a few seconds; they would only hide the page in a picture.
        await Page.EvaluateAsync("() => document.querySelectorAll('.toast.ok').forEach(t => t.remove())");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDir, name + ".png") });
    }

    /// <summary>
    /// No uncaught error, and no console error other than Chromium's own "Failed to load resource" line for an
    /// HTTP status the test provoked on purpose (a wrong token's 401, a compile error's 422).
    /// </summary>
    public void ShouldHaveNoConsoleErrors(params int[] expectedStatuses)
    {
        lock (_pageErrors)
        {
            _pageErrors.ShouldBeEmpty(string.Join("\n", _pageErrors));
        }

        lock (_consoleErrors)
        {
            var unexpected = _consoleErrors
                .Where(e => ResourceStatus().Match(e) is not { Success: true } m || !expectedStatuses.Contains(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)))
                .ToList();
            unexpected.ShouldBeEmpty(string.Join("\n", unexpected));
        }

        lock (_failedResponses)
        {
            var failed = _failedResponses.Where(r => !expectedStatuses.Contains(r.Status)).ToList();
            failed.ShouldBeEmpty(string.Join("\n", failed.Select(f => $"{f.Status} {f.Url}")));
        }
    }

    public async ValueTask DisposeAsync() => await Context.CloseAsync();

    [GeneratedRegex(@"^Failed to load resource: the server responded with a status of (\d{3})")]
    private static partial Regex ResourceStatus();
}
