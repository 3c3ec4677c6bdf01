using Edge.Tests.Common;

namespace Edge.Tests.Browser;

/// <summary>The page's code editor in a real browser: completions of the SDK's names, keys, save.</summary>
[Collection(BrowserCollection.Name)]
public sealed class EditorBrowserTests(BrowserFixture fixture)
{
    private const string Code = "async Task<Response> Handle(Context ctx, Request req)\n{\n    return Response.Ok(1);\n}\n";

    [Fact]
    public async Task Completions_AfterCtxBusAndResponse_OfferTheSdkMembers()
    {
        // Arrange
        await using var session = await OpenEndpointAsync();
        var page = session.Page;
        await page.FocusAsync(".ed-input");
        await page.Keyboard.PressAsync("Control+End");

        // Act
        await page.Keyboard.TypeAsync("ctx.");
        var context = await page.Locator(".ed-complete:not([hidden]) li .name").AllTextContentsAsync();
        await page.Keyboard.TypeAsync("Bu");
        await page.Keyboard.PressAsync("Enter");
        await page.Keyboard.TypeAsync(".");
        var bus = await page.Locator(".ed-complete:not([hidden]) li .name").AllTextContentsAsync();
        await page.Keyboard.PressAsync("Escape");
        await page.Keyboard.TypeAsync(" Response.No");
        var response = await page.Locator(".ed-complete:not([hidden]) li .name").AllTextContentsAsync();
        await page.Keyboard.PressAsync("Tab");
        var text = await page.InputValueAsync(".ed-input");

        // Assert
        context.ShouldContain("Bus");
        context.ShouldContain("State");
        context.ShouldContain("Database");
        context.ShouldContain("Log");
        bus.ShouldContain("PublishAsync");
        bus.ShouldContain("RequestAsync");
        response.ShouldBe(["NoContent", "NotFound"], ignoreOrder: true);
        text.ShouldEndWith("ctx.Bus. Response.NoContent");
        session.ShouldHaveNoConsoleErrors();
    }

    [Fact]
    public async Task Keys_CtrlSSavesTabIndentsEscapeTabLeaves()
    {
        // Arrange
        await using var session = await OpenEndpointAsync();
        var page = session.Page;
        await page.FocusAsync(".ed-input");
        await page.Keyboard.PressAsync("Control+End");

        // Act
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("// saved by keyboard");
        await page.Keyboard.PressAsync("Control+s");
        await page.Locator(".saved", new() { HasText = "saved v2" }).WaitForAsync();
        var stillInEditor = await page.EvaluateAsync<bool>("() => document.activeElement.classList.contains('ed-input')");
        await page.Keyboard.PressAsync("Escape");
        await page.Keyboard.PressAsync("Tab");
        var leftEditor = await page.EvaluateAsync<bool>("() => !document.activeElement.classList.contains('ed-input')");
        var text = await page.InputValueAsync(".ed-input");

        // Assert
        stillInEditor.ShouldBeTrue();
        leftEditor.ShouldBeTrue();
        text.ShouldEndWith("}\n    // saved by keyboard");
        session.ShouldHaveNoConsoleErrors();
    }

    private async Task<AdminPageSession> OpenEndpointAsync()
    {
        var created = await fixture.Edge.Admin.PostApiAsync("/api/endpoints", new
        {
            name = Unique.Name("ed"),
            path = "/" + Unique.Name("ed"),
            method = "GET",
            domain = "*",
            code = Code,
        });
        var id = created.Data.GetProperty("id").GetString();
        var session = await AdminPageSession.OpenAsync(fixture);
        await session.SignInAsync();
        await session.Page.EvaluateAsync($"() => {{ location.hash = '#/endpoints/{id}'; }}");
        await session.Page.WaitForSelectorAsync(".ed-input");
        return session;
    }
}
