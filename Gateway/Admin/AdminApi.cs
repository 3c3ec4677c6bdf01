namespace Edge.Gateway.Admin;

/// <summary>Maps the whole admin API under <c>/api</c>.</summary>
internal static class AdminApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");
        SystemApi.Map(api);
        DomainsApi.Map(api);
        CollectionsApi.Map(api);
        EndpointsApi.Map(api);
        VersionsApi.Map(api);
        MetricsApi.Map(api);
        LogsApi.Map(api);
        TestRequestApi.Map(api);
        ServicesApi.Map(api);
        ServiceTypesApi.Map(api);
        MinioApi.Map(api);
        ImportApi.Map(api);
        ExportApi.Map(api);
        KeysApi.Map(api);
        api.MapFallback((HttpRequest request) =>
            AdminJson.Fail(StatusCodes.Status404NotFound, $"no admin route for {request.Method} {request.Path}"));
    }
}
