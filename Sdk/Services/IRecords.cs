using System.Text.Json.Nodes;

namespace Edge.Sdk;

/// <summary>
/// JSON documents keyed by id, the same API over a database table, an S3 prefix or an FTP/SFTP folder, from
/// <see cref="Context.Records"/>. Ids are 1–128 characters of letters, digits, <c>-</c>, <c>_</c> and <c>.</c>
/// (not starting with a dot); anything else is refused with 400.
/// <list type="bullet">
/// <item>Table: one row per document in a table with columns <c>id</c>, <c>status</c>, <c>data</c>,
/// <c>created_at</c>, <c>updated_at</c> (created when missing); the list filter matches <c>status</c>.</item>
/// <item>S3 prefix or FTP/SFTP folder: one file <c>{id}.json</c> per document; the list filter keeps the ids
/// that contain it.</item>
/// </list>
/// </summary>
public interface IRecords
{
    /// <summary>The document with this id, or null.</summary>
    Task<JsonObject?> GetAsync(string id);

    /// <summary>Every document (in id order), or only those matching <paramref name="filter"/>.</summary>
    Task<IReadOnlyList<JsonObject>> ListAsync(string? filter = null);

    /// <summary>Stores a new document (any object serialisable to a JSON object); 409 when the id is taken.</summary>
    Task CreateAsync(string id, object document);

    /// <summary>Replaces an existing document; 404 when there is none with this id.</summary>
    Task UpdateAsync(string id, object document);

    /// <summary>Removes the document; true when it existed.</summary>
    Task<bool> DeleteAsync(string id);
}
