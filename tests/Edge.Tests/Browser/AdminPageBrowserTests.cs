using System.Text;
using Edge.Tests.Common;
using Microsoft.Playwright;

namespace Edge.Tests.Browser;

/// <summary>The admin page in a real browser against the real gateway: the issue's scenarios, end to end.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AdminPageBrowserTests(BrowserFixture fixture)
{
    private const string BrokenCode = """
        async Task<Response> Handle(Context ctx, Request req)
        {
            ctx.Log("page test call " + req.Path);
            var name = undefinedName;
            return Response.Ok(new { hello = name });
        }
        """;

    private const string FixedCode = """
        async Task<Response> Handle(Context ctx, Request req)
        {
            ctx.Log("page test call " + req.Path);
            var name = req.PathParam("name") ?? "world";
            return Response.Ok(new { hello = name });
        }
        """;

    [Fact]
    public async Task SignIn_WrongTokenThenRightToken_ShowsMessageThenSignsInAndOut()
    {
        // Arrange
        await using var session = await AdminPageSession.OpenAsync(fixture);
        await session.GotoAsync();

        // Act
        await session.Page.FillAsync("#token", "not-the-token");
        await session.Page.ClickAsync("#signin-form button[type=submit]");
        var message = session.Page.Locator("#signin-msg.error");
        await message.WaitForAsync();
        var wrongText = await message.TextContentAsync();
        await session.ScreenshotAsync("signin-wrong-token");
        await session.Page.FillAsync("#token", fixture.Edge.Token!);
        await session.Page.ClickAsync("#signin-form button[type=submit]");
        await session.Page.WaitForSelectorAsync("#nav:not([hidden])");
        var stored = await session.Page.EvaluateAsync<string?>("sessionStorage.getItem('edge.admin.token')");
        await session.Page.ClickAsync("#signout");
        await session.Page.WaitForSelectorAsync("#signin:not([hidden])");
        var afterSignOut = await session.Page.EvaluateAsync<string?>("sessionStorage.getItem('edge.admin.token')");

        // Assert
        wrongText.ShouldNotBeNull().ShouldContain("Wrong token");
        wrongText.ShouldContain("invalid admin token");
        stored.ShouldBe(fixture.Edge.Token);
        afterSignOut.ShouldBeNull();
        session.ShouldHaveNoConsoleErrors(401);
    }

    [Fact]
    public async Task SignIn_AdminKeyRevokedWhileOpen_ReturnsToSignInWithTheReason()
    {
        // Arrange
        var created = await fixture.Edge.Admin.PostApiAsync("/api/admin-keys", new { name = Unique.Name("pagekey"), scopes = new[] { "endpoints:read" } });
        var keyId = created.Data.GetProperty("id").GetString();
        var key = created.Data.GetProperty("key").GetString()!;
        var keyName = created.Data.GetProperty("name").GetString()!;
        await using var session = await AdminPageSession.OpenAsync(fixture);
        await session.GotoAsync();
        var page = session.Page;

        // Act
        await page.FillAsync("#token", key);
        await page.ClickAsync("#signin-form button[type=submit]");
        await page.WaitForSelectorAsync("#nav:not([hidden])");
        var who = await page.TextContentAsync("#who");
        var services = await page.IsVisibleAsync("#nav a[data-section=services]");
        (await fixture.Edge.Admin.DeleteAsync($"/api/admin-keys/{keyId}")).EnsureSuccessStatusCode();
        await page.ClickAsync(".sidebar button:text-is('Reload')");
        var message = page.Locator("#signin-msg.error");
        await message.WaitForAsync();
        var text = await message.TextContentAsync();
        var stored = await page.EvaluateAsync<string?>("() => sessionStorage.getItem('edge.admin.token')");

        // Assert
        who.ShouldBe($"{keyName} (admin key)");
        services.ShouldBeFalse();
        text.ShouldNotBeNull().ShouldContain("invalid admin key");
        text.ShouldContain("Sign in again");
        stored.ShouldBeNull();
        session.ShouldHaveNoConsoleErrors(401);
    }

    [Fact]
    public async Task Settings_SaveThenDelete_ChangesTheEndpointThenRemovesIt()
    {
        // Arrange
        var name = Unique.Name("set");
        var created = await fixture.Edge.Admin.PostApiAsync("/api/endpoints", new { name, path = "/" + name, method = "GET", domain = "*", code = "Response Handle(Context ctx, Request req) => Response.Ok(1);" });
        var id = created.Data.GetProperty("id").GetString();
        await using var session = await AdminPageSession.OpenAsync(fixture);
        await session.SignInAsync();
        var page = session.Page;

        // Act
        await page.EvaluateAsync($"() => {{ location.hash = '#/endpoints/{id}/settings'; }}");
        await page.FillAsync(".panel input[name=timeout_ms]", "99999999");
        await page.ClickAsync(".panel button:text-is('Save settings')");
        var refused = page.Locator(".panel .field-error");
        await refused.First.WaitForAsync();
        var refusedText = await refused.First.TextContentAsync();
        await page.FillAsync(".panel input[name=timeout_ms]", "4321");
        await page.FillAsync(".panel input[name=max_body_bytes]", "2048");
        await page.ClickAsync(".panel button:text-is('Save settings')");
        await page.Locator(".panel .notice.ok", new() { HasText = "Settings saved." }).WaitForAsync();
        var saved = await fixture.Edge.Admin.GetApiAsync($"/api/endpoints/{id}");
        await page.ClickAsync(".actions button:text-is('Delete')");
        await page.ClickAsync("dialog.confirm button:text-is('Delete')");
        await page.Locator(".toast", new() { HasText = "deleted" }).WaitForAsync();
        var inTree = await page.Locator("a.ep", new() { HasText = name }).CountAsync();
        var after = await fixture.Edge.Admin.GetApiAsync($"/api/endpoints/{id}");

        // Assert
        refusedText.ShouldNotBeNull().ShouldContain("timeout_ms");
        saved.Data.GetProperty("timeout_ms").GetInt32().ShouldBe(4321);
        saved.Data.GetProperty("max_body_bytes").GetInt64().ShouldBe(2048);
        inTree.ShouldBe(0);
        after.Status.ShouldBe(System.Net.HttpStatusCode.NotFound);
        session.ShouldHaveNoConsoleErrors(400);
    }

    [Fact]
    public async Task Endpoint_CreateCompileFixDeployTestWatchRollback_WorksInThePage()
    {
        // Arrange
        await using var session = await AdminPageSession.OpenAsync(fixture);
        await session.SignInAsync();
        var page = session.Page;
        var name = Unique.Name("page");
        var path = $"/{name}/{{name}}";

        // Act: create
        await page.ClickAsync("text=+ New endpoint");
        await page.FillAsync("form input[name=name]", name);
        await page.FillAsync("form input[name=path]", path);
        await page.ClickAsync(".detail form button[type=submit]");
        await page.WaitForSelectorAsync(".editor .ed-input");
        var treeItem = page.Locator("a.ep", new PageLocatorOptions { HasText = name });
        await treeItem.WaitForAsync();

        // Act: a compile error shows at its line and column
        await page.FillAsync(".ed-input", BrokenCode);
        await page.PressAsync(".ed-input", "Control+s");
        await page.Locator(".saved", new PageLocatorOptions { HasText = "saved v2" }).WaitForAsync();
        await page.ClickAsync(".actions >> text=Compile");
        var diagnostic = page.Locator(".diagnostics button.diag.err");
        await diagnostic.First.WaitForAsync();
        var diagnosticText = await diagnostic.First.TextContentAsync();
        var markedLine = await page.Locator(".ed-num.err").First.TextContentAsync();
        var squiggles = await page.Locator(".ed-mark.err").CountAsync();
        await session.ScreenshotAsync("editor-compile-error");

        // Act: fix, deploy, call it from the tester
        await page.FillAsync(".ed-input", FixedCode);
        await page.ClickAsync(".actions >> text=Deploy");
        await page.Locator(".ep-head .badge.s-running").WaitForAsync();
        var diagnosticsAfterFix = await page.Locator(".diagnostics button.diag.err").CountAsync();
        await page.FillAsync("input[name=param-name]", "browser");
        await page.ClickAsync(".tester button[type=submit]");
        var status = page.Locator(".status-line .status");
        await status.WaitForAsync();
        var statusText = await status.TextContentAsync();
        var body = await page.Locator("pre.body").TextContentAsync();
        await session.ScreenshotAsync("endpoint-tester");
        await page.ClickAsync(".result button.tab:text-is('hex')");
        var hex = await page.Locator("pre.body").TextContentAsync();

        // Act: the call appears in the live view and its log (a few more calls from outside fill the charts)
        for (var i = 0; i < 20; i++)
        {
            using var extra = await fixture.Edge.Gateway.GetAsync($"/{name}/n{i}");
        }

        await page.ClickAsync(".tabs >> text=Live");
        await page.Locator(".totals[data-requests]:not([data-requests='0'])").WaitForAsync();
        var logLine = page.Locator("ol.log li", new PageLocatorOptions { HasText = "page test call /" + name + "/browser" });
        await logLine.First.WaitForAsync();
        var charts = await page.Locator(".charts svg.chart").CountAsync();
        await session.ScreenshotAsync("endpoint-live");

        // Act: history, diff and rollback to the first revision (the template)
        await page.ClickAsync(".tabs >> text=History");
        var oldest = page.Locator("li.version").Last;
        await oldest.Locator("button", new LocatorLocatorOptions { HasText = "Diff" }).ClickAsync();
        await page.Locator(".diff").WaitForAsync();
        var diffHead = await page.Locator(".diff-head").TextContentAsync();
        await oldest.Locator("button", new LocatorLocatorOptions { HasText = "Roll back" }).ClickAsync();
        await page.Locator(".toast", new PageLocatorOptions { HasText = "rolled back to v1" }).WaitForAsync();
        var code = await page.InputValueAsync(".ed-input");
        var served = await fixture.Edge.Gateway.GetStringAsync($"/{name}/after");

        // Assert
        diagnosticText.ShouldNotBeNull().ShouldContain("line 4, col 16");
        diagnosticText.ShouldContain("CS0103");
        markedLine.ShouldBe("4");
        squiggles.ShouldBeGreaterThan(0);
        diagnosticsAfterFix.ShouldBe(0);
        statusText.ShouldBe("200");
        body.ShouldNotBeNull().ShouldContain("\"hello\": \"browser\"");
        hex.ShouldNotBeNull().ShouldStartWith("00000000  7b 22 68 65 6c 6c 6f 22");
        charts.ShouldBe(3);
        diffHead.ShouldNotBeNull().ShouldContain("v1 → editor");
        code.ShouldContain("hello from");
        served.ShouldContain("\"message\":\"hello\"");
        session.ShouldHaveNoConsoleErrors(422);
    }

    [Fact]
    public async Task Service_CreateTestActivateAndBind_ShowsLatencyAndBinding()
    {
        // Arrange
        using var dir = new TempDir();
        await using var session = await AdminPageSession.OpenAsync(fixture);
        await session.SignInAsync();
        var page = session.Page;
        var name = Unique.Name("pagedb");

        // Act
        await page.ClickAsync("#nav >> text=Services");
        await page.ClickAsync("text=+ New service");
        await page.FillAsync(".detail form input[name=name]", name);
        await page.SelectOptionAsync(".detail form select[name=service_type]", "sqlite");
        await page.FillAsync("form input[name='config.path']", Path.Combine(dir.Path, "page.db"));
        await page.CheckAsync("form input[name='config.create_if_missing']");
        await page.ClickAsync(".detail form button[type=submit]");
        await page.Locator("h2", new PageLocatorOptions { HasText = "Service " + name }).WaitForAsync();
        await page.ClickAsync("text=Test connection");
        var result = page.Locator(".card .notice.ok");
        await result.WaitForAsync();
        var resultText = await result.TextContentAsync();
        await session.ScreenshotAsync("service-form");
        await page.ClickAsync(".card button:text-is('Deactivate')");
        await page.Locator(".card h3 .badge.s-inactive").WaitForAsync();
        await page.ClickAsync(".card button:text-is('Activate')");
        await page.Locator(".card h3 .badge.s-active").WaitForAsync();
        var listed = await page.Locator("a.ep", new PageLocatorOptions { HasText = name }).Locator(".badge.s-active").CountAsync();

        // Act: bind it to an endpoint from the endpoint's settings; the service page then lists the binding
        var endpoint = await fixture.Edge.Admin.PostApiAsync("/api/endpoints", new { name = Unique.Name("bound"), path = "/" + Unique.Name("bound"), method = "GET", domain = "*", code = "Response Handle(Context ctx, Request req) => Response.Ok(1);" });
        var endpointId = endpoint.Data.GetProperty("id").GetString();
        await page.EvaluateAsync($"() => {{ location.hash = '#/endpoints/{endpointId}/settings'; }}");
        await page.SelectOptionAsync(".bindings select[name=service_id]", new SelectOptionValue { Label = $"{name} (sqlite)" });
        await page.FillAsync(".bindings input[name=pool_id]", "main");
        await page.ClickAsync(".bindings button:text-is('Bind')");
        await page.Locator(".bindings li", new PageLocatorOptions { HasText = "main" }).WaitForAsync();
        await session.ScreenshotAsync("endpoint-settings");
        await page.ClickAsync($".bindings a:text-is('{name} (sqlite)')");
        var boundTo = page.Locator(".card li", new PageLocatorOptions { HasText = "as main" });
        await boundTo.WaitForAsync();

        // Assert
        resultText.ShouldNotBeNull().ShouldMatch(@"connected in \d+(\.\d+)? ms");
        listed.ShouldBe(1);
        (await boundTo.CountAsync()).ShouldBe(1);
        session.ShouldHaveNoConsoleErrors();
    }

    [Fact]
    public async Task Import_OpenApiDryRunThenImport_PreviewsThenCreates()
    {
        // Arrange
        await using var session = await AdminPageSession.OpenAsync(fixture);
        await session.SignInAsync();
        var page = session.Page;
        var prefix = Unique.Name("imp");
        var spec = """
            {"openapi": "3.1.0", "info": {"title": "PREFIX api", "version": "1"},
             "paths": {"/PREFIX/items": {"get": {"operationId": "PREFIXList", "responses": {"200": {"description": "ok"}}}},
                       "/PREFIX/items/{id}": {"get": {"operationId": "PREFIXGet", "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}], "responses": {"200": {"description": "ok"}}}}}}
            """.Replace("PREFIX", prefix, StringComparison.Ordinal);

        // Act
        await page.ClickAsync("#nav >> text=Import");
        await page.SetInputFilesAsync(".drop input[type=file]", new FilePayload { Name = "spec.json", MimeType = "application/json", Buffer = Encoding.UTF8.GetBytes(spec) });
        await page.ClickAsync("text=Preview (dry run)");
        await page.Locator(".notice.ok", new PageLocatorOptions { HasText = "Dry run" }).WaitForAsync();
        var previewRows = await page.Locator("table.items tbody tr").AllTextContentsAsync();
        var afterDryRun = await fixture.Edge.Admin.GetApiAsync("/api/endpoints");
        await session.ScreenshotAsync("import-preview");
        await page.ClickAsync(".page button.primary");
        await page.Locator(".notice.ok", new PageLocatorOptions { HasText = "Imported." }).WaitForAsync();
        await page.ClickAsync("#nav >> text=Endpoints");
        await page.Locator("a.ep", new PageLocatorOptions { HasText = prefix }).First.WaitForAsync();
        var treeCount = await page.Locator("a.ep", new PageLocatorOptions { HasText = prefix }).CountAsync();

        // Assert
        previewRows.Count.ShouldBe(2);
        previewRows.ShouldAllBe(r => r.Contains("create"));
        afterDryRun.Data.ToString().ShouldNotContain($"/{prefix}/items");
        treeCount.ShouldBe(2);
        session.ShouldHaveNoConsoleErrors();
    }

    [Fact]
    public async Task Import_BundleWithBrokenHandler_ShowsTheItemsDiagnostics()
    {
        // Arrange: a bundle whose one handler does not compile (line 3, column 13)
        await using var session = await AdminPageSession.OpenAsync(fixture);
        await session.SignInAsync();
        var page = session.Page;
        var prefix = Unique.Name("bun");
        var spec = """
            {"openapi": "3.1.0", "info": {"title": "PREFIX", "version": "1"},
             "paths": {"/PREFIX/broken": {"get": {"operationId": "brokenOp", "responses": {"200": {"description": "ok"}}}}}}
            """.Replace("PREFIX", prefix, StringComparison.Ordinal);
        const string Handler = "Response Handle(Context ctx, Request req)\n{\n    var x = missingThing;\n    return Response.Ok(x);\n}\n";
        using var zip = new MemoryStream();
        using (var archive = new System.IO.Compression.ZipArchive(zip, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            await using (var writer = new StreamWriter(archive.CreateEntry("openapi.json").Open()))
            {
                await writer.WriteAsync(spec);
            }

            await using (var writer = new StreamWriter(archive.CreateEntry("handlers/brokenOp.cs").Open()))
            {
                await writer.WriteAsync(Handler);
            }
        }

        // Act
        await page.ClickAsync("#nav >> text=Import");
        await page.SetInputFilesAsync(".drop input[type=file]", new FilePayload { Name = "broken.zip", MimeType = "application/zip", Buffer = zip.ToArray() });
        await page.CheckAsync("input[name=compile]");
        await page.ClickAsync(".page button.primary");
        var problem = page.Locator(".errors li.diag.err");
        await problem.First.WaitForAsync();
        var diagnosticText = await problem.First.TextContentAsync();
        var message = await page.Locator(".page .notice.error").TextContentAsync();
        await session.ScreenshotAsync("import-errors");
        var endpoints = await fixture.Edge.Admin.GetApiAsync("/api/endpoints");

        // Assert
        diagnosticText.ShouldNotBeNull().ShouldContain("line 3, col 13");
        diagnosticText.ShouldContain("CS0103");
        message.ShouldNotBeNullOrWhiteSpace();
        endpoints.Data.ToString().ShouldNotContain($"/{prefix}/broken");
        session.ShouldHaveNoConsoleErrors(422);
    }

    [Theory]
    [InlineData(1280, 800, ColorScheme.Light, "wide-light")]
    [InlineData(1280, 800, ColorScheme.Dark, "wide-dark")]
    [InlineData(400, 800, ColorScheme.Light, "narrow-light")]
    [InlineData(400, 800, ColorScheme.Dark, "narrow-dark")]
    public async Task EveryPage_AtSizeAndScheme_RendersWithoutConsoleErrorsOrOverflow(int width, int height, ColorScheme scheme, string label)
    {
        // Arrange
        await using var session = await AdminPageSession.OpenAsync(fixture, width, height, scheme);
        await session.SignInAsync();
        var page = session.Page;
        var endpoint = await fixture.Edge.Admin.PostApiAsync("/api/endpoints", new
        {
            name = Unique.Name("shot"),
            path = "/" + Unique.Name("shot"),
            method = "GET",
            domain = "*",
            code = FixedCode,
        });
        var id = endpoint.Data.GetProperty("id").GetString();
        var overflows = new List<string>();

        // Act
        foreach (var hash in new[] { "#/endpoints", $"#/endpoints/{id}/test", $"#/endpoints/{id}/settings", $"#/endpoints/{id}/history", $"#/endpoints/{id}/live", "#/services", "#/services/new", "#/import" })
        {
            await page.EvaluateAsync($"location.hash = '{hash}'");
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            var scrollWidth = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
            if (scrollWidth > width)
            {
                overflows.Add($"{hash}: {scrollWidth}px wide");
            }

            if (hash == $"#/endpoints/{id}/test")
            {
                await session.ScreenshotAsync($"endpoint-{label}");
            }
        }

        var background = await page.EvaluateAsync<string>("getComputedStyle(document.body).backgroundColor");

        // Assert
        overflows.ShouldBeEmpty();
        background.ShouldBe(scheme == ColorScheme.Dark ? "rgb(18, 21, 27)" : "rgb(246, 247, 249)");
        session.ShouldHaveNoConsoleErrors();
    }

    [Fact]
    public async Task ThemeToggle_Click_SwitchesAndRemembers()
    {
        // Arrange
        await using var session = await AdminPageSession.OpenAsync(fixture);
        await session.GotoAsync();

        // Act
        await session.Page.ClickAsync("#theme");
        var theme = await session.Page.EvaluateAsync<string>("document.documentElement.dataset.theme");
        await session.Page.ReloadAsync();
        await session.Page.WaitForSelectorAsync("html[data-ready='true']");
        var afterReload = await session.Page.EvaluateAsync<string>("document.documentElement.dataset.theme");
        var background = await session.Page.EvaluateAsync<string>("getComputedStyle(document.body).backgroundColor");

        // Assert
        theme.ShouldBe("dark");
        afterReload.ShouldBe("dark");
        background.ShouldBe("rgb(18, 21, 27)");
        session.ShouldHaveNoConsoleErrors();
    }
}
