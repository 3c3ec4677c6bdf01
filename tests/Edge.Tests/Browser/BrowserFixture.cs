using Edge.Tests.Common;
using Microsoft.Playwright;

namespace Edge.Tests.Browser;

/// <summary>
/// One gateway and one headless Chromium (Debian's <c>chromium</c> package, driven by Playwright) shared by the
/// admin page tests. Nothing is downloaded: Playwright's driver ships in the NuGet package and the browser is the
/// system one.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private static readonly string[] ChromiumPaths = ["/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser"];

    public EdgeProcess Edge { get; private set; } = null!;

    public IPlaywright Playwright { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where the tests write their screenshots (tests/Edge.Tests/TestResults/admin-page).</summary>
    public static string ScreenshotDir { get; } = Path.Combine(FindTestsFolder(), "TestResults", "admin-page");

    public static string ChromiumPath =>
        ChromiumPaths.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"no Chromium at {string.Join(", ", ChromiumPaths)}: scripts/test.sh installs Debian's chromium package");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(ScreenshotDir);
        Edge = await EdgeProcess.StartAsync();
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-dev-shm-usage"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        Playwright?.Dispose();
        if (Edge is not null)
        {
            await Edge.DisposeAsync();
        }
    }

    private static string FindTestsFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Edge.Tests.csproj")))
            {
                return dir.FullName;
            }
        }

        return AppContext.BaseDirectory;
    }
}
