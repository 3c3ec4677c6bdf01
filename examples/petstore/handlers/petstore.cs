// The pet store: five routes, one handler text, any storage backend.
//
//   GET    /pets            list (optional ?status=available|pending|sold)
//   POST   /pets            create {name, category?, tags?, status?}
//   GET    /pets/{petId}    one pet
//   PUT    /pets/{petId}    partial update: only the fields sent change
//   DELETE /pets/{petId}    remove
//
// Pets live in ctx.Records("petstore", "pets"): a table "pets" on sqlite/postgres/mysql, objects
// "pets/{id}.json" on S3, files "pets/{id}.json" on FTP/FTPS/SFTP. Which one is decided by the service
// bound to the endpoint as "petstore" (see setup.sh), never by this code.

static readonly string[] Statuses = ["available", "pending", "sold"];

async Task<Response> Handle(Context ctx, Request req)
{
    var pets = ctx.Records("petstore", "pets");
    var petId = req.PathParam("petId");
    switch (req.Method)
    {
        case "GET" when petId is null:
        {
            var status = req.QueryParam("status");
            if (status is not null && !Statuses.Contains(status))
            {
                return Response.BadRequest($"status must be one of {string.Join(", ", Statuses)}");
            }

            // The filter narrows on every backend; the check below makes file backends (whose filter also
            // matches ids) exact.
            var list = await pets.ListAsync(status);
            var items = list.Where(p => status is null || (string?)p["status"] == status).ToList();
            return Response.Ok(new { pets = items, count = items.Count });
        }

        case "GET":
            return await pets.GetAsync(petId!) is { } found ? Response.Ok(found) : Response.NotFound($"no pet '{petId}'");

        case "POST":
        {
            var input = ReadObject(req);
            var pet = new JsonObject { ["name"] = null, ["category"] = null, ["tags"] = new JsonArray(), ["status"] = "available" };
            Apply(pet, input, creating: true);
            var id = "pet-" + Guid.NewGuid().ToString("N")[..12];
            var now = DateTime.UtcNow.ToString("o");
            pet["created_at"] = now;
            pet["updated_at"] = now;
            await pets.CreateAsync(id, pet);
            pet["id"] = id;
            return Response.Created(pet).WithHeader("Location", $"/pets/{id}");
        }

        case "PUT":
        {
            var input = ReadObject(req);
            var pet = await pets.GetAsync(petId!) ?? throw HandlerError.NotFound($"no pet '{petId}'");
            Apply(pet, input, creating: false);
            pet["updated_at"] = DateTime.UtcNow.ToString("o");
            await pets.UpdateAsync(petId!, pet);
            return Response.Ok(pet);
        }

        case "DELETE":
            return await pets.DeleteAsync(petId!) ? Response.NoContent() : Response.NotFound($"no pet '{petId}'");

        default:
            return HandlerError.MethodNotAllowed($"method {req.Method} is not allowed").ToResponse();
    }
}

static JsonObject ReadObject(Request req)
{
    JsonNode? body;
    try
    {
        body = JsonNode.Parse(req.Body ?? "");
    }
    catch (JsonException ex)
    {
        throw HandlerError.BadRequest($"body is not valid JSON: {ex.Message}");
    }

    return body as JsonObject ?? throw HandlerError.BadRequest("body must be a JSON object");
}

// Copies the allowed fields from the input onto the pet, checking each; every problem is reported at once.
static void Apply(JsonObject pet, JsonObject input, bool creating)
{
    var problems = new List<string>();
    foreach (var (field, value) in input)
    {
        switch (field)
        {
            case "name":
                if (value is JsonValue v && v.TryGetValue<string>(out var name) && name.Trim().Length is > 0 and <= 100)
                {
                    pet["name"] = name.Trim();
                }
                else
                {
                    problems.Add("name must be a non-empty string of at most 100 characters");
                }

                break;
            case "category":
                if (value is null || (value is JsonValue c && c.TryGetValue<string>(out var category) && category.Length <= 50))
                {
                    pet["category"] = value?.DeepClone();
                }
                else
                {
                    problems.Add("category must be a string of at most 50 characters, or null");
                }

                break;
            case "tags":
                if (value is JsonArray tags && tags.Count <= 20 && tags.All(t => t is JsonValue tv && tv.TryGetValue<string>(out var s) && s.Length is > 0 and <= 30))
                {
                    pet["tags"] = tags.DeepClone();
                }
                else
                {
                    problems.Add("tags must be an array of at most 20 non-empty strings of at most 30 characters");
                }

                break;
            case "status":
                if (value is JsonValue st && st.TryGetValue<string>(out var status) && Statuses.Contains(status))
                {
                    pet["status"] = status;
                }
                else
                {
                    problems.Add($"status must be one of {string.Join(", ", Statuses)}");
                }

                break;
            case "id" or "created_at" or "updated_at":
                problems.Add($"{field} is set by the server");
                break;
            default:
                problems.Add($"unknown field '{field}'");
                break;
        }
    }

    if (creating && pet["name"] is null && !problems.Any(p => p.StartsWith("name")))
    {
        problems.Add("name is required");
    }

    if (problems.Count > 0)
    {
        throw HandlerError.ValidationError(string.Join("; ", problems));
    }
}
